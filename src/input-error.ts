/**
 * Bad input from a person: an unknown scenario, variant or parameter, a value
 * of the wrong type or out of range, a malformed file. The CLI prints the
 * message and exits 2; the message names the field and what is allowed.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
