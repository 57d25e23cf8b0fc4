/**
 * Browser POST uploads: a policy document that says what a form may upload (bucket, key or key
 * prefix, size range, content type, until when), signed with the day's SigV4 key, and the form
 * fields that carry it. What Uppy, Fine Uploader or a plain HTML form post to S3.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
import type { Credentials } from '../credentials/index.js';
import type { RequestPipeline } from '../pipeline.js';

/** A policy condition: `{ field: value }` (exact), `['eq' | 'starts-with', '$field', value]`, or a size range. */
export type PolicyCondition =
  | Readonly<Record<string, string>>
  | readonly ['eq' | 'starts-with', string, string]
  | readonly ['content-length-range', number, number];

export interface PresignPostInput {
  bucket?: string;
  /** The exact key the form may write. */
  key?: string;
  /** Or any key under this prefix; the form's key is `${keyPrefix}${filename}` (S3 fills in the file's name). */
  keyPrefix?: string;
  /** Seconds the form stays valid: 1..604800. Default 3600. */
  expiresIn?: number;
  /** Allowed size of the upload, inclusive, in bytes. */
  contentLengthRange?: readonly [number, number];
  /** The Content-Type the upload must declare (sent as a form field). */
  contentType?: string;
  /** More form fields, each bound exactly by the policy (e.g. `x-amz-meta-owner`, `success_action_status`). */
  fields?: Readonly<Record<string, string>>;
  /** More policy conditions, e.g. `['starts-with', '$Content-Type', 'image/']`. */
  conditions?: readonly PolicyCondition[];
  /** When validity starts. Default now. */
  signingDate?: Date;
}

export interface PresignedPost {
  /** Where to POST the multipart/form-data. */
  url: string;
  /** Fields to send before the `file` field, in this order. */
  fields: Record<string, string>;
}

export function presignPost(
  pipeline: RequestPipeline,
  credentials: Credentials,
  bucket: string,
  input: PresignPostInput,
): PresignedPost {
  // `input` was checked at the face (validation/inputs.ts): one of key/keyPrefix, expiresIn, the
  // range, no reserved field, well-formed conditions.
  const expiresIn = input.expiresIn ?? 3600;
  const range = input.contentLengthRange;

  const region = pipeline.regionFor(bucket);
  const date = input.signingDate ?? pipeline.now();
  const signer = pipeline.signerFor(credentials, region);
  const { credential, amzDate, algorithm } = signer.policyFields(date);

  const fields: Record<string, string> = { key: input.key ?? `${input.keyPrefix ?? ''}\${filename}` };
  if (input.contentType !== undefined) fields['Content-Type'] = input.contentType;
  for (const [name, value] of Object.entries(input.fields ?? {})) fields[name] = value;
  fields['x-amz-algorithm'] = algorithm;
  fields['x-amz-credential'] = credential;
  fields['x-amz-date'] = amzDate;
  if (credentials.sessionToken) fields['x-amz-security-token'] = credentials.sessionToken;

  const conditions: PolicyCondition[] = [{ bucket }];
  conditions.push(input.key !== undefined ? ['eq', '$key', input.key] : ['starts-with', '$key', input.keyPrefix ?? '']);
  if (range) conditions.push(['content-length-range', range[0], range[1]]);
  for (const [name, value] of Object.entries(fields)) if (name !== 'key') conditions.push({ [name]: value });
  conditions.push(...(input.conditions ?? []));

  const policy = JSON.stringify({ expiration: new Date(date.getTime() + expiresIn * 1000).toISOString(), conditions });
  const policyBase64 = Buffer.from(policy, 'utf8').toString('base64');
  fields['Policy'] = policyBase64;
  fields['X-Amz-Signature'] = signer.signPolicy(policyBase64, date).signature;

  return { url: pipeline.resolve(bucket, undefined).url, fields };
}
