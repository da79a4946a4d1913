/**
 * What went wrong, as one line on stderr and an exit code (DESIGN.md
 * "Outcomes"): 2 for bad input or a broken model, 4 for a diverged replay, 3
 * with the stack for a bug. Its own module, importing no command, so the
 * executable can report a failure while the commands load.
 */
import { InputError } from '../input-error.js';
import { ModelError } from '../kernel/model-error.js';
import { ReplayDivergence } from '../kernel/strategy.js';
import { EXIT } from './exit-codes.js';
import type { Io } from './io.js';

/** Also used by the executable for what fails while the catalogue loads (a scenario whose wiring is refused). */
export function failure(e: unknown, io: Io): number {
  if (e instanceof InputError) {
    io.err(`biostack: ${e.message}\n`);
    return EXIT.badInput;
  }
  if (e instanceof ModelError) {
    io.err(`biostack: model error (the scenario or a machine is broken): ${e.message}\n`);
    return EXIT.badInput;
  }
  if (e instanceof ReplayDivergence) {
    io.err(`biostack: ${e.message} (the model, parameters or options differ from the recording)\n`);
    return EXIT.replayDiverged;
  }
  io.err(`biostack: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.internal;
}
