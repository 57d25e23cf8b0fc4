/**
 * Redaction of request secrets before anything reaches an error message, a log line or JSON.
 *
 * Secret: the signature (a presigned URL or a captured Authorization header can be replayed until it
 * expires), the session token, the SSE-C key, cookies, and the secret access key itself.
 * Not secret: the access key id and the credential scope. AWS itself echoes the access key id in error
 * bodies (`<AWSAccessKeyId>`), and it is what a reader needs to tell which key was used.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */

export const REDACTED = '<redacted>';

export type HeaderValue = string | string[] | number | undefined;

// Headers whose whole value is secret. The SSE-C key is the raw AES key, base64-encoded; its -MD5
// companion header is only a digest and stays.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'x-amz-security-token',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-copy-source-server-side-encryption-customer-key',
  'cookie',
  'set-cookie',
  'proxy-authorization',
]);

/**
 * A copy of `headers` with secrets replaced. Header names keep their case.
 *
 * @example
 * redactHeaders({ Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=fe5f…' })
 * // { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=<redacted>' }
 */
export function redactHeaders(headers: Readonly<Record<string, HeaderValue>>): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || typeof value === 'number') out[name] = value;
    else if (lower === 'authorization') out[name] = mapValue(value, redactAuthorization);
    else if (SECRET_HEADERS.has(lower)) out[name] = mapValue(value, () => REDACTED);
    else out[name] = value;
  }
  return out;
}

function mapValue(value: string | string[], f: (v: string) => string): string | string[] {
  return Array.isArray(value) ? value.map(f) : f(value);
}

/**
 * SigV4 (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, also SigV4a) keeps everything
 * but the signature; SigV2 (`AWS AKID:signature`) keeps the access key id; any other scheme is
 * dropped whole because we cannot tell which part is secret.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
 */
function redactAuthorization(value: string): string {
  if (/^AWS4-/i.test(value)) return value.replace(/(Signature=)[^,\s]*/gi, `$1${REDACTED}`);
  const v2 = /^AWS ([^:\s]+):/.exec(value);
  if (v2) return `AWS ${v2[1] ?? ''}:${REDACTED}`;
  return REDACTED;
}

// Query parameters of presigned URLs that are secret. X-Amz-Credential is access key id + scope
// and stays. `Signature` is the SigV2 presigned form.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
const SECRET_QUERY = /([?&;](?:X-Amz-Signature|X-Amz-Security-Token|Signature)=)[^&#]*/gi;

/**
 * A URL with the signature, the session token and any userinfo password replaced. Works on the
 * string as given (no re-serialisation), so the rest of the URL stays byte-for-byte what was sent.
 *
 * @example
 * redactUrl('https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F…&X-Amz-Signature=abc')
 * // 'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2F…&X-Amz-Signature=<redacted>'
 */
export function redactUrl(url: string | URL): string {
  const s = typeof url === 'string' ? url : url.href;
  return s
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, `$1:${REDACTED}@`)
    .replace(SECRET_QUERY, `$1${REDACTED}`);
}

// Secret values as they appear in free text: canonical requests (`x-amz-security-token:…`),
// query strings (`X-Amz-Signature=…`), header dumps and JSON (`"x-amz-security-token": "…"`).
// The value stops at whitespace, `&`, `,`, quotes and `<`, which never occur in base64 or hex.
const VALUE = `(["']?\\s*[:=]\\s*["']?)[^\\s&,"'<>]+`;
const TEXT_PATTERNS: readonly RegExp[] = [
  new RegExp(`((?:X-Amz-)?Signature)${VALUE}`, 'gi'),
  new RegExp(`(x-amz-security-token)${VALUE}`, 'gi'),
  new RegExp(`(x-amz-(?:copy-source-)?server-side-encryption-customer-key)${VALUE}`, 'gi'),
];
// XML elements of S3 error bodies that carry secrets: SignatureDoesNotMatch echoes the signature we
// sent and the canonical request as hex (which includes the session token header); ExpiredToken
// echoes the token as <Token-0>.
const SECRET_ELEMENTS = /<(SignatureProvided|CanonicalRequestBytes|Token-\d+)>[^<]*<\/\1>/g;
const SIGV2_AUTHORIZATION = /(Authorization["']?\s*[:=]\s*["']?AWS [^:\s"']+:)[^\s"',]+/gi;

/** Forms shorter than this are not searched for: they would blank out ordinary text. */
const MIN_SECRET_LENGTH = 4;

/**
 * Every form a secret can take in text that comes back to us. Keys and tokens hold `/`, `+` and
 * `=`, so: as is; URL-encoded (upper- and lower-case hex, `%20` or `+` for a space); URL-decoded
 * (a proxy that decoded the query once); with `+` read as a space (form decoding, the usual
 * proxy mangling); and as hex bytes, bare or space-separated (the canonical-request byte dumps of
 * S3 error bodies).
 *
 * @example secretForms('a+b/c') // ['a+b/c', 'a%2Bb%2Fc', 'a%2bb%2fc', 'a b/c', …]
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const encoded = encodeURIComponent(secret);
  forms.add(encoded);
  forms.add(encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
  forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
  forms.add(secret.replace(/\+/g, ' '));
  try {
    const decoded = decodeURIComponent(secret);
    forms.add(decoded);
    forms.add(decoded.replace(/\+/g, ' '));
  } catch {
    // Not a valid percent-encoding: there is no decoded form.
  }
  const hex = Buffer.from(secret, 'utf8').toString('hex');
  forms.add(hex);
  forms.add(hex.replace(/(..)(?!$)/g, '$1 '));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * Replaces every listed secret, in every form `secretForms` knows, and every signature, session
 * token or SSE-C key recognisable by its name.
 *
 * @example
 * redactText('x-amz-security-token:FQoG…\nSignature=abc', [secretAccessKey])
 * // 'x-amz-security-token:<redacted>\nSignature=<redacted>'
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  const forms = [...new Set(secrets.flatMap((s) => (typeof s === 'string' && s !== '' ? secretForms(s) : [])))];
  forms.sort((a, b) => b.length - a.length);
  for (const form of forms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  // Hex dumps may be upper-case too.
  for (const form of forms) {
    if (/^[0-9a-f ]+$/.test(form) && form.length >= 16) out = out.replace(new RegExp(form.replace(/ /g, '\\s*'), 'gi'), REDACTED);
  }
  for (const pattern of TEXT_PATTERNS) out = out.replace(pattern, `$1$2${REDACTED}`);
  out = out.replace(SIGV2_AUTHORIZATION, `$1${REDACTED}`);
  return out.replace(SECRET_ELEMENTS, `<$1>${REDACTED}</$1>`);
}

/**
 * An endpoint URL as it may appear in a message: without userinfo and without query or fragment
 * (a presigned URL pasted as the endpoint carries its token and signature there), cut short.
 *
 * @example displayEndpoint('https://u:p@host/?X-Amz-Security-Token=abc') // '"https://…@host/?…"'
 */
export function displayEndpoint(endpoint: string): string {
  const cut = endpoint.search(/[?#]/);
  const head = cut === -1 ? endpoint : `${endpoint.slice(0, cut)}?…`;
  const shown = head.replace(/^([^/]*\/\/)[^/]*@/, '$1…@');
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
}
