/** The public shapes of the signer's inputs and outputs. */
import type { WireUrl } from './url.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Set for temporary (STS) credentials; sent as x-amz-security-token / X-Amz-Security-Token. */
  readonly sessionToken?: string | undefined;
}

export interface SignerOptions {
  readonly credentials: Credentials;
  /** e.g. 'us-east-1'. */
  readonly region: string;
  /** The signing name, 's3' (the default) for S3. */
  readonly service?: string;
  /** Percent-encode the path once more before signing. Default: service !== 's3'. */
  readonly uriEscapePath?: boolean;
  /** Remove `.`/`..`/empty path segments before signing. Default: service !== 's3'. */
  readonly normalizePath?: boolean;
  /**
   * Include the session token in the signature (default true). A few services (e.g. AWS IoT
   * presigned WebSocket URLs) want it added after signing instead.
   */
  readonly signSessionToken?: boolean;
}

/**
 * Request headers: a plain object (an array value is a header sent several times) or a list of
 * [name, value] pairs in the order sent. Repeated names are signed as one value joined with ','.
 */
export type HeaderInput =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | ReadonlyArray<readonly [string, string]>;

export interface SignRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Absolute URL in its wire (already percent-encoded) form, or already split into its parts. */
  readonly url: string | URL | WireUrl;
  readonly headers?: HeaderInput | undefined;
  /** Hashed when no payloadHash (or x-amz-content-sha256 header) is given. */
  readonly body?: string | Uint8Array | undefined;
  /** Hex SHA-256 of the body, UNSIGNED_PAYLOAD or STREAMING_PAYLOAD. */
  readonly payloadHash?: string | undefined;
  /** Signing time; default now. */
  readonly date?: Date | undefined;
}

/**
 * A signed request. Besides the headers to send, it carries every intermediate value so a
 * SignatureDoesNotMatch can be compared with the canonical request S3 returns in its error.
 *
 * @example
 * const s = signer.sign({ method: 'GET', url: 'https://bucket.s3.amazonaws.com/key' });
 * await undici.request(url, { headers: s.headers });
 */
export interface SignedRequest {
  /** The input headers plus host, x-amz-date, x-amz-security-token, x-amz-content-sha256 (S3), authorization. */
  readonly headers: Record<string, string>;
  readonly authorization: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly payloadHash: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly credential: string;
}

export interface PresignRequest {
  readonly method: string;
  /** As in SignRequest. */
  readonly url: string | URL | WireUrl;
  /**
   * Headers the user of the URL must send, signed as headers (host is always signed). Unlike the
   * AWS SDK, x-amz-* headers are not moved into the query: what is passed here must be sent.
   */
  readonly headers?: HeaderInput | undefined;
  readonly body?: string | Uint8Array | undefined;
  /** Seconds the URL stays valid, 1..604800 (7 days); default 3600. */
  readonly expiresIn?: number | undefined;
  readonly date?: Date | undefined;
  /** Default for S3: UNSIGNED_PAYLOAD. */
  readonly payloadHash?: string | undefined;
}

/**
 * @example
 * const { url } = signer.presign({ method: 'GET', url: 'https://bucket.s3.amazonaws.com/key', expiresIn: 900 });
 */
export interface PresignedRequest {
  /** The URL with X-Amz-* query parameters and X-Amz-Signature appended. */
  readonly url: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
  readonly signedHeaders: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly credential: string;
}

export interface PolicySignature {
  readonly algorithm: 'AWS4-HMAC-SHA256';
  /** x-amz-credential form field. */
  readonly credential: string;
  /** x-amz-date form field. */
  readonly amzDate: string;
  /** x-amz-signature form field. */
  readonly signature: string;
}
