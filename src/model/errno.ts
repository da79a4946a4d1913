/** errno values used in replies and completions (Linux numbering, include/uapi/asm-generic/errno-base.h). */
export const EIO = 5;
export const EAGAIN = 11;
