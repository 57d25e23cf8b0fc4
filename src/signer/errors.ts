/**
 * Errors for bad signer input. They follow Node's own convention (ERR_INVALID_ARG_VALUE is a
 * TypeError, ERR_OUT_OF_RANGE a RangeError, both with a `code`), so callers can branch on `code`
 * and still catch by the built-in class. They are thrown before anything is signed.
 *
 * Messages may quote the offending input (a URL, a method, a region) but never credentials: the
 * signer never interpolates the secret key or the session token into a message.
 */

export type SigningErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'INVALID_REGION'
  | 'INVALID_SERVICE'
  | 'INVALID_URL'
  | 'INVALID_METHOD'
  | 'INVALID_HEADER'
  | 'INVALID_PAYLOAD_HASH'
  | 'INVALID_BODY'
  | 'INVALID_DATE'
  | 'INVALID_ENCODING'
  | 'INVALID_SIGNATURE'
  | 'INVALID_POLICY'
  | 'INVALID_CHUNK';

export type SigningRangeErrorCode =
  | 'INVALID_EXPIRES'
  | 'DATE_OUT_OF_RANGE'
  | 'INVALID_CHUNK_SIZE'
  | 'INVALID_LENGTH'
  | 'BODY_LENGTH_MISMATCH';

/** An input of the wrong type or shape, e.g. an empty region or a relative URL. */
export class SigningError extends TypeError {
  override readonly name = 'SigningError';
  readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A number (or a byte count) outside what SigV4 allows, e.g. `expiresIn` over seven days. */
export class SigningRangeError extends RangeError {
  override readonly name = 'SigningRangeError';
  readonly code: SigningRangeErrorCode;

  constructor(code: SigningRangeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Quotes user input in a message without letting a huge value flood logs. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
