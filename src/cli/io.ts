/** Where a command writes: stdout for its result, stderr for diagnostics and progress. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Progress lines go to stderr only when a person watches it. */
  readonly errIsTTY: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
};
