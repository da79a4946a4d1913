#!/usr/bin/env node
/** The `biostack` executable: see cli/main.ts. */
import { processIo } from './cli/io.js';
import { ModelError } from './kernel/model-error.js';

// The commands load the catalogue, which checks every scenario's wiring as it loads: a refused
// wiring is a model error (exit 2, one line), reported like any other, not a crash on import.
let cli: typeof import('./cli/main.js');
try {
  cli = await import('./cli/main.js');
} catch (e) {
  if (!(e instanceof ModelError)) throw e;
  const { failure } = await import('./cli/failure.js');
  process.exit(failure(e, processIo));
}
process.exitCode = await cli.main(process.argv.slice(2), processIo);
