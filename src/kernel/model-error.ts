/**
 * A mistake in a scenario or machine definition (unknown resource in an
 * effect, a layer machine using sendTo, a resource declared twice). Reported
 * to the user as bad input (exit 2), with the name of what is wrong.
 */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}
