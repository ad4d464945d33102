import { OperationError } from '../util/errors.js';

/**
 * A stored document (manifest, tokenmap, ...) that cannot be read: truncated, not JSON, or of the
 * wrong shape. The message names the object key so an operator can find it.
 */
export class DocumentError extends OperationError {
  readonly key: string;

  constructor(key: string, problem: string) {
    super(`${key}: ${problem}`);
    this.key = key;
  }
}
