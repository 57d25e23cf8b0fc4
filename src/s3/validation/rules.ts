/**
 * Field rules: small functions `(value, field) => void` that throw an `S3ConfigError` naming the
 * field, what was given (type, length, never a secret's value) and what is allowed. The inputs of
 * every public method are tables of these (inputs.ts), checked once at the face before anything
 * is signed or sent. Runtime checks, not just types: plain-JS callers pass anything.
 */
import { S3ConfigError, describeValue, quoteForMessage, type S3ConfigErrorCode } from '../config-error.js';

export type Rule = (value: unknown, field: string) => void;

export function fail(code: S3ConfigErrorCode, field: string, message: string): never {
  throw new S3ConfigError(code, `${field}: ${message}`, { field });
}

/** `field` joined to a sub-name: `from` + `key` → `from.key`; array indexes as `keys[3]`. */
export function child(field: string, name: string | number): string {
  if (typeof name === 'number') return `${field}[${name}]`;
  return field === '' ? name : `${field}.${name}`;
}

/** One entry of an object's table: its rule and whether it must be present. */
export interface FieldSpec {
  readonly rule: Rule;
  readonly required?: boolean;
}

export type Shape = Readonly<Record<string, FieldSpec>>;

export const optional = (rule: Rule): FieldSpec => ({ rule });
export const required = (rule: Rule): FieldSpec => ({ rule, required: true });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An options object: a plain object, every required field present (undefined counts as absent, so
 * `{ prefix: undefined }` is fine), no field the table does not know (a misspelt `contentType`
 * would otherwise be dropped silently), and each field passing its rule.
 */
export function object(shape: Shape, code: S3ConfigErrorCode = 'InvalidType'): Rule {
  const known = Object.keys(shape);
  return (value, field) => {
    if (!isPlainObject(value)) fail(code, field || 'input', `expected an options object, got ${describeValue(value)}.`);
    for (const name of Object.keys(value)) {
      if (!Object.hasOwn(shape, name)) {
        fail('UnknownOption', child(field, name), `unknown option ${quoteForMessage(name, 40)}; the options here are ${known.join(', ')}.`);
      }
    }
    for (const name of known) {
      const spec = shape[name]!;
      const v = value[name];
      if (v === undefined) {
        if (spec.required) fail(missingCode(name, code), child(field, name), 'is required.');
        continue;
      }
      spec.rule(v, child(field, name));
    }
  };
}

/** What a missing required field is reported as: its own code where it has one. */
function missingCode(name: string, fallback: S3ConfigErrorCode): S3ConfigErrorCode {
  const codes: Record<string, S3ConfigErrorCode> = {
    key: 'InvalidKey',
    uploadId: 'InvalidUploadId',
    keys: 'InvalidDeleteKeys',
    from: 'InvalidCopySource',
    to: 'InvalidCopySource',
    file: 'InvalidDestination',
  };
  return codes[name] ?? (fallback === 'InvalidType' ? 'MissingField' : fallback);
}

export function string(code: S3ConfigErrorCode, opts: { nonEmpty?: boolean } = {}): Rule {
  return (value, field) => {
    if (typeof value !== 'string') fail(code, field, `expected a string, got ${describeValue(value)}.`);
    if (opts.nonEmpty && value === '') fail(code, field, 'is an empty string; leave it out or give a value.');
  };
}

/** An integer in [min, max]; NaN, Infinity, 1.5 and '3' are refused rather than read as something else. */
export function integer(code: S3ConfigErrorCode, min: number, max: number, unit = ''): Rule {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      fail(code, field, `expected an integer from ${min} to ${max}${unit}, got ${describeValue(value)}.`);
    }
  };
}

export function boolean(code: S3ConfigErrorCode): Rule {
  return (value, field) => {
    if (typeof value !== 'boolean') fail(code, field, `expected true or false, got ${describeValue(value)}.`);
  };
}

export function oneOf(code: S3ConfigErrorCode, values: readonly string[]): Rule {
  return (value, field) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      const shown = typeof value === 'string' ? `${quoteForMessage(value, 40)}` : describeValue(value);
      fail(code, field, `expected one of ${values.map((v) => `'${v}'`).join(', ')}, got ${shown}.`);
    }
  };
}

export const validDate: Rule = (value, field) => {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    fail('InvalidDate', field, `expected a valid Date, got ${describeValue(value)}.`);
  }
};

export const abortSignal: Rule = (value, field) => {
  if (!(value instanceof AbortSignal)) fail('InvalidSignal', field, `expected an AbortSignal, got ${describeValue(value)}.`);
};

export const callback: Rule = (value, field) => {
  if (typeof value !== 'function') fail('InvalidCallback', field, `expected a function, got ${describeValue(value)}.`);
};

/** An object with a method of this name (a logger's `debug`, a dispatcher's `dispatch`). */
export function hasMethod(code: S3ConfigErrorCode, method: string): Rule {
  return (value, field) => {
    const fn: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, method) : undefined;
    if (typeof fn !== 'function') fail(code, field, `expected an object with a ${method}() method, got ${describeValue(value)}.`);
  };
}

/** RFC 9110 token: an HTTP header (or metadata) name. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function headerValue(code: S3ConfigErrorCode = 'InvalidHeaderValue'): Rule {
  return (value, field) => {
    string(code)(value, field);
    const text = value as string;
    // Printable ASCII and tab: what a header value carries unchanged (no CR/LF to split the request).
    const bad = /[^\t\x20-\x7e]/.exec(text);
    if (bad !== null) {
      const c = bad[0].codePointAt(0) ?? 0;
      fail(
        code,
        field,
        `a string of ${text.length} characters with U+${c.toString(16).toUpperCase().padStart(4, '0')} at index ${bad.index}: ` +
          'HTTP header values take printable ASCII only (no CR/LF or other control characters); encode it first, e.g. with encodeURIComponent.',
      );
    }
  };
}

/** A record of string values, each checked by `valueRule` under `field.name`. */
export function record(code: S3ConfigErrorCode, valueRule: Rule, nameRule?: Rule): Rule {
  return (value, field) => {
    if (!isPlainObject(value)) fail(code, field, `expected an object of name → string, got ${describeValue(value)}.`);
    for (const [name, v] of Object.entries(value)) {
      nameRule?.(name, child(field, name));
      valueRule(v, child(field, name));
    }
  };
}

export function headerName(code: S3ConfigErrorCode): Rule {
  return (value, field) => {
    if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
      fail(code, field, `${quoteForMessage(String(value), 40)} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_\`|~).`);
    }
  };
}

/**
 * A rule from a check that lives with its operation (and throws S3ConfigError without a field):
 * its error comes out naming the field. A non-S3ConfigError failure becomes one with `code`.
 */
export function delegate(code: S3ConfigErrorCode, check: (value: never) => unknown): Rule {
  return (value, field) => {
    try {
      check(value as never);
    } catch (error) {
      if (error instanceof S3ConfigError && error.field !== undefined) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new S3ConfigError(error instanceof S3ConfigError ? error.code : code, `${field}: ${message}`, { field, cause: error });
    }
  };
}
