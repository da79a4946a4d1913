/**
 * Interrupt priority levels, NetBSD-style (spl(9)); Linux's "interrupts off"
 * is IPL_HIGH. A handler at level L is deliverable only while the CPU's level
 * is below L.
 */
export const IPL_NONE = 0;
export const IPL_SOFTBIO = 2;
export const IPL_BIO = 5;
export const IPL_VM = 6;
export const IPL_HIGH = 7;
