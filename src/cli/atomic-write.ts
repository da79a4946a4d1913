/**
 * Output files (`--trace`, `--save-schedule`) appear whole or not at all:
 * each is written to a temp file in its own directory and renamed over the
 * target only once every file of the run has been written.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../input-error.js';

export interface OutputFile {
  /** The option that named it, for errors: `save-schedule`. */
  readonly flag: string;
  readonly path: string;
  readonly content: string;
}

/** Refuse a path whose directory does not exist, or that is a directory, before spending a run on it. */
export function checkOutputPath(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  const stat = (p: string) => statSync(p, { throwIfNoEntry: false });
  if (!stat(dir)?.isDirectory()) throw new InputError(`--${flag} '${path}': directory '${dir}' does not exist`);
  if (stat(path)?.isDirectory()) throw new InputError(`--${flag} '${path}' is a directory; give a file name`);
}

export function writeFilesAtomically(files: readonly OutputFile[]): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const full = resolve(f.path);
      const temp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
      temps.push(temp);
      try {
        writeFileSync(temp, f.content, { flag: 'wx' });
      } catch (e) {
        throw new InputError(`--${f.flag} '${f.path}': cannot write: ${(e as Error).message}`);
      }
    }
    files.forEach((f, i) => {
      try {
        renameSync(temps[i], resolve(f.path));
      } catch (e) {
        throw new InputError(`--${f.flag} '${f.path}': cannot write: ${(e as Error).message}`);
      }
    });
  } finally {
    for (const t of temps) rmSync(t, { force: true });
  }
}
