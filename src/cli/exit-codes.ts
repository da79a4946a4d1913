/** Exit codes of `biostack` (DESIGN.md "Outcomes"). */
export const EXIT = {
  /** A verdict was produced (or the command did its job). */
  ok: 0,
  /** `run --expect` got another outcome; `catalogue` has a FAIL; `verify` a surprise; `explore --fail-on-finding` found something. */
  verdictDiffers: 1,
  /** Bad input: arguments, parameters, files, or a broken scenario/machine (ModelError). */
  badInput: 2,
  /** An unexpected exception: a bug in biostack. */
  internal: 3,
  /** A replayed schedule asked for a delivery that is not pending; `replay` ran twice and got two traces. */
  replayDiverged: 4,
} as const;
