/**
 * The client's input errors. The class and its codes live with the signer (the bottom layer), so
 * that one `instanceof S3ConfigError` catches bad input from the client and the signer alike.
 */
export { S3ConfigError, describeValue, type S3ConfigErrorCode, type S3ConfigErrorOptions } from '../signer/errors.js';

/** Quotes a user value for an error message, cut short so a 1 KiB key does not flood the log. */
export function quoteForMessage(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
