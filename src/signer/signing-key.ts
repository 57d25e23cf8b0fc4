/**
 * Signing-key derivation and the per-day cache.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key
 *
 * The key depends only on (secret, UTC day, region, service). A signer has one secret, region and
 * service, so its cache is keyed by the UTC day: deriving costs four HMACs, done once a day rather
 * than once a request. A request dated on a new day simply misses and derives that day's key.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { dateStampOfDay } from './amz-date.js';
import { uriEncode } from './encoding.js';
import { hmacBytes } from './hash.js';

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request"). */
export function deriveSigningKey(secretAccessKey: string, dateStamp: string, region: string, service: string): Buffer {
  const kDate = hmacBytes(`AWS4${secretAccessKey}`, dateStamp);
  const kRegion = hmacBytes(kDate, region);
  const kService = hmacBytes(kRegion, service);
  return hmacBytes(kService, 'aws4_request');
}

/** Everything about a signature that depends only on the UTC day. Immutable once built. */
export interface DayKey {
  readonly day: number;
  /** `YYYYMMDD`. */
  readonly dateStamp: string;
  /** `YYYYMMDD/region/service/aws4_request`. */
  readonly scope: string;
  /** `accessKeyId/scope`, as in the Authorization header. */
  readonly credential: string;
  /** The credential UriEncoded, as in X-Amz-Credential. */
  readonly encodedCredential: string;
  /** The derived signing key, imported once (HMAC with a KeyObject skips a copy per call). */
  readonly key: KeyObject;
}

// Today, plus yesterday and tomorrow for requests signed around midnight or with a skewed clock.
const MAX_DAYS = 3;

export class SigningKeyCache {
  readonly #accessKeyId: string;
  readonly #secretAccessKey: string;
  readonly #region: string;
  readonly #service: string;
  readonly #days = new Map<number, DayKey>();
  // The last day used: almost every lookup hits it. Replacing this reference is atomic, so
  // interleaved requests cannot observe a half-built entry.
  #last: DayKey | undefined;

  constructor(accessKeyId: string, secretAccessKey: string, region: string, service: string) {
    this.#accessKeyId = accessKeyId;
    this.#secretAccessKey = secretAccessKey;
    this.#region = region;
    this.#service = service;
  }

  /** How many days are cached (at most 3). */
  get size(): number {
    return this.#days.size;
  }

  /** The key material for a day number (days since 1970-01-01 UTC). */
  forDay(day: number): DayKey {
    const last = this.#last;
    if (last !== undefined && last.day === day) return last;
    let entry = this.#days.get(day);
    if (entry === undefined) {
      entry = this.#derive(day);
      if (this.#days.size >= MAX_DAYS) this.#days.delete(this.#days.keys().next().value!);
      this.#days.set(day, entry);
    }
    this.#last = entry;
    return entry;
  }

  #derive(day: number): DayKey {
    const dateStamp = dateStampOfDay(day);
    const scope = `${dateStamp}/${this.#region}/${this.#service}/aws4_request`;
    const credential = `${this.#accessKeyId}/${scope}`;
    const key = createSecretKey(deriveSigningKey(this.#secretAccessKey, dateStamp, this.#region, this.#service));
    return { day, dateStamp, scope, credential, encodedCredential: uriEncode(credential), key };
  }
}
