/** Errors as one line for people (`CODE: message`) and as a value for --json. */

/** The error's code: S3's (NoSuchKey), the network's (ECONNRESET), Node's (EACCES), ours (InvalidRange). */
export function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && code !== '' ? code : error instanceof Error ? error.name : 'Error';
}

/**
 * `CODE: message`. The library's errors are redacted already (no secret, no signature reaches a
 * message), so they are printed as they are.
 */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(code) ? message : `${code}: ${message}`;
}

export function errorJson(error: unknown): { code: string; message: string } {
  return { code: errorCode(error), message: error instanceof Error ? error.message : String(error) };
}

/** True for the abort that Ctrl-C causes, however deep in the library it surfaced. */
export function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (error === signal.reason || (error instanceof Error && error.name === 'AbortError'));
}
