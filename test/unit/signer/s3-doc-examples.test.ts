/**
 * Every example of s3-doc-examples.json: S3's documented header-signed requests, the presigned
 * URL, the aws-chunked upload (seed, every chunk signature, framed length 66824) and the trailer
 * vectors. S3 rules: the wire path is the canonical URI, as is.
 */
import { describe, expect, it } from 'vitest';
import {
  SigV4Signer,
  STREAMING_PAYLOAD,
  STREAMING_PAYLOAD_TRAILER,
  awsChunkedStream,
  chunkedContentLength,
  sha256Hex,
} from '../../../src/signer/index.js';
import { dateFromAmz, s3DocExamples, type S3DocExample } from './fixtures.js';
import { parseFrames, pipeThrough } from './frames.js';

const examples = s3DocExamples();
const byName = (name: string): S3DocExample => examples.find((e) => e.name === name)!;

function signerFor(example: S3DocExample): SigV4Signer {
  return new SigV4Signer({
    credentials: { accessKeyId: example.credentials.access_key_id, secretAccessKey: example.credentials.secret_access_key },
    region: example.region,
    service: example.service,
  });
}

/** The wire URL: `?lifecycle` for a valueless parameter, as S3's docs write it. */
function urlOf(example: S3DocExample): string {
  const query = (example.query ?? []).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  return `https://${example.host}${example.path}${query ? `?${query}` : ''}`;
}

/** The example's headers minus the ones the signer writes (x-amz-date, x-amz-content-sha256). */
function callerHeaders(example: S3DocExample): Record<string, string> {
  const headers = { ...(example.headers as Record<string, string>) };
  delete headers['x-amz-date'];
  delete headers['x-amz-content-sha256'];
  return headers;
}

// The documented PUT body; its SHA-256 is pinned by the example.
const BODIES: Record<string, string> = { 'put-object': 'Welcome to Amazon S3.' };

const headerExamples = examples.filter((e) => e.kind === 'header-auth (single chunk)');

describe('S3 documentation examples', () => {
  it('covers every example in the file', () => {
    expect(examples.map((e) => e.name)).toEqual([
      'get-object-range',
      'put-object',
      'get-bucket-lifecycle',
      'list-objects',
      'presigned-get-object',
      'streaming-aws-chunked-put',
      'streaming-aws-chunked-put-with-trailer (extra)',
      'aws-c-auth-trailing-headers (extra)',
      'minio-go-trailer-chunk (extra)',
    ]);
    expect(headerExamples).toHaveLength(4);
  });

  describe.each(headerExamples)('$name (header auth)', (example) => {
    it('canonical request, string to sign, signature, Authorization and x-amz-content-sha256', () => {
      const body = BODIES[example.name];
      const signed = signerFor(example).sign({
        method: example.method!,
        url: urlOf(example),
        headers: callerHeaders(example),
        body,
        date: dateFromAmz(example.x_amz_date),
      });
      expect(signed.canonicalRequest).toBe(example.expected.canonical_request);
      expect(signed.stringToSign).toBe(example.expected.string_to_sign);
      expect(signed.signature).toBe(example.expected.signature);
      expect(signed.authorization).toBe(example.expected.authorization_sdk_style);
      expect(signed.signedHeaders).toBe(example.signed_headers);
      expect(signed.headers['x-amz-content-sha256']).toBe(example.body_sha256);
    });
  });

  it('presigned-get-object: canonical request, string to sign, signature and the exact URL', () => {
    const example = byName('presigned-get-object');
    const presigned = signerFor(example).presign({
      method: 'GET',
      url: `https://${example.host}${example.path}`,
      expiresIn: 86_400,
      date: dateFromAmz(example.x_amz_date),
    });
    expect(presigned.canonicalRequest).toBe(example.expected.canonical_request);
    expect(presigned.stringToSign).toBe(example.expected.string_to_sign);
    expect(presigned.signature).toBe(example.expected.signature);
    expect(presigned.url).toBe(example.expected.url);
  });

  describe('streaming-aws-chunked-put', () => {
    const example = byName('streaming-aws-chunked-put');
    const expected = example.expected as {
      canonical_request: string;
      string_to_sign: string;
      seed_signature: string;
      chunk_signatures: string[];
      content_length: number;
    };
    const date = dateFromAmz(example.x_amz_date);
    const body = new Uint8Array(66_560).fill(0x61);

    function seed() {
      return signerFor(example).sign({
        method: 'PUT',
        url: urlOf(example),
        headers: callerHeaders(example),
        payloadHash: STREAMING_PAYLOAD,
        date,
      });
    }

    it('framed Content-Length of 66560 bytes in 64 KiB chunks is 66824', () => {
      expect(chunkedContentLength(66_560, 65_536)).toBe(expected.content_length);
      expect((example.headers as Record<string, string>)['content-length']).toBe(String(expected.content_length));
    });

    it('seed: canonical request, string to sign, signature', () => {
      const signed = seed();
      expect(signed.canonicalRequest).toBe(expected.canonical_request);
      expect(signed.stringToSign).toBe(expected.string_to_sign);
      expect(signed.signature).toBe(expected.seed_signature);
    });

    it('ChunkSigner: each chunk signature chains the previous one', () => {
      const chunks = signerFor(example).chunkSigner({ seedSignature: seed().signature, date });
      const header1 = Buffer.from(chunks.signChunk(body.subarray(0, 65_536))).toString();
      const header2 = Buffer.from(chunks.signChunk(body.subarray(65_536))).toString();
      const final = Buffer.from(chunks.finalChunk()).toString();
      expect([header1, header2, final]).toEqual([
        `10000;chunk-signature=${expected.chunk_signatures[0]}\r\n`,
        `400;chunk-signature=${expected.chunk_signatures[1]}\r\n`,
        `0;chunk-signature=${expected.chunk_signatures[2]}\r\n\r\n`,
      ]);
    });

    it.each([
      ['one 66560-byte write', [body]],
      ['1000-byte writes', Array.from({ length: 67 }, (_, i) => body.subarray(i * 1000, Math.min((i + 1) * 1000, 66_560)))],
      ['writes straddling the chunk boundary', [body.subarray(0, 65_000), body.subarray(65_000, 66_000), body.subarray(66_000)]],
    ])('awsChunkedStream (%s): the documented frames, byte for byte', async (_name, pieces) => {
      const chunks = signerFor(example).chunkSigner({ seedSignature: seed().signature, date });
      const { bytes } = await pipeThrough(awsChunkedStream(chunks, { chunkSize: 65_536, decodedLength: 66_560 }), pieces);
      expect(bytes.byteLength).toBe(expected.content_length);
      const { frames, rest } = parseFrames(bytes);
      expect(frames.map((f) => f.size)).toEqual([65_536, 1024, 0]);
      expect(frames.map((f) => f.signature)).toEqual(expected.chunk_signatures);
      expect(Buffer.concat(frames.map((f) => f.data)).equals(Buffer.from(body))).toBe(true);
      expect(Buffer.from(rest).toString()).toBe('\r\n');
    });
  });

  describe('trailer vectors (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
    it('streaming-aws-chunked-put-with-trailer: seed, chunk signatures, trailer signature and frame', () => {
      const example = byName('streaming-aws-chunked-put-with-trailer (extra)');
      const expected = example.expected as Record<string, string> & { chunk_signatures: string[] };
      const date = dateFromAmz(example.x_amz_date);
      const signer = signerFor(example);
      const signed = signer.sign({
        method: 'PUT',
        url: urlOf(example),
        headers: callerHeaders(example),
        payloadHash: STREAMING_PAYLOAD_TRAILER,
        date,
      });
      expect(signed.canonicalRequest).toBe(expected.canonical_request);
      expect(signed.stringToSign).toBe(expected.string_to_sign);
      expect(signed.signature).toBe(expected.seed_signature);
      expect(signed.authorization.replaceAll(', ', ',')).toBe(expected.authorization_minio_go);

      const chunks = signer.chunkSigner({ seedSignature: signed.signature, date });
      const body = new Uint8Array(66_560).fill(0x61);
      chunks.signChunk(body.subarray(0, 65_536));
      expect(chunks.previousSignature).toBe(expected.chunk_signatures[0]);
      chunks.signChunk(body.subarray(65_536));
      expect(chunks.previousSignature).toBe(expected.chunk_signatures[1]);
      const trailer = { 'x-amz-checksum-crc32c': 'sOO8/Q==' };
      expect(sha256Hex('x-amz-checksum-crc32c:sOO8/Q==\n')).toBe(expected.trailer_sha256);
      expect(Buffer.from(chunks.finalChunk(trailer)).toString()).toBe(
        `0;chunk-signature=${expected.chunk_signatures[2]}\r\n` +
          'x-amz-checksum-crc32c:sOO8/Q==\r\n' +
          `x-amz-trailer-signature:${expected.trailer_signature}\r\n\r\n`,
      );
    });

    it.each([
      ['aws-c-auth-trailing-headers (extra)', { first: '1st', second: '2nd', third: '3rd' }],
      ['minio-go-trailer-chunk (extra)', { 'x-amz-checksum-crc32c': 'wdBDMA==' }],
    ])('%s: trailer signature chained after the given previous signature', (name, trailers) => {
      const example = byName(name);
      const expected = example.expected as { previous_signature: string; trailer_signature: string };
      const chunks = signerFor(example).chunkSigner({
        seedSignature: expected.previous_signature,
        date: dateFromAmz(example.x_amz_date),
      });
      expect(chunks.signTrailer(trailers)).toBe(expected.trailer_signature);
    });
  });
});
