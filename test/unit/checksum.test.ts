/**
 * The checksums against published check values (test/fixtures/checksums/vectors.json), against
 * AWS's own implementations (@aws-sdk/checksums, what the AWS SDK sends to S3) over many lengths and
 * split points, and the multipart (FULL_OBJECT / COMPOSITE) checksums as S3 defines them.
 */
import { readFileSync } from 'node:fs';
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { Crc32Js } from '@smithy/core/checksum';
import { describe, expect, it } from 'vitest';
import { checksumOf, createChecksum, multipartChecksum, type ChecksumAlgorithm } from '../../src/s3/checksum/index.js';
import { patternBytes } from '../integration/server.js';

interface Vector {
  algorithm: ChecksumAlgorithm;
  source: string;
  text?: string;
  pattern?: 'zeros' | 'ones' | 'increasing' | 'decreasing';
  length?: number;
  hex: string;
}

const { vectors } = JSON.parse(readFileSync(new URL('../fixtures/checksums/vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

function inputOf(v: Vector): Uint8Array {
  if (v.text !== undefined) return new TextEncoder().encode(v.text);
  const length = v.length ?? 0;
  const byte = { zeros: () => 0, ones: () => 0xff, increasing: (i: number) => i & 0xff, decreasing: (i: number) => (length - 1 - i) & 0xff }[v.pattern ?? 'zeros'];
  return Uint8Array.from({ length }, (_, i) => byte(i));
}

const hexOf = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

describe('checksums over published vectors', () => {
  it.each(vectors.map((v) => [`${v.algorithm} ${v.source} ${v.text !== undefined ? JSON.stringify(v.text) : `${v.pattern}×${v.length}`}`, v] as const))(
    '%s',
    (_name, v) => {
      expect(hexOf(checksumOf(v.algorithm, inputOf(v)))).toBe(v.hex);
    },
  );

  it.each(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)('%s gives the same value whatever the pieces the bytes arrive in', (algorithm) => {
    const data = patternBytes(1000, 3);
    const whole = checksumOf(algorithm, data);
    for (const cuts of [[0], [1], [7, 8, 9], [499, 500, 993], [1000]]) {
      const running = createChecksum(algorithm);
      let start = 0;
      for (const cut of [...cuts, data.length]) {
        running.update(data.subarray(start, cut));
        start = cut;
      }
      expect(running.digest()).toBe(whole);
    }
  });
});

/** AWS's JavaScript implementations, digest as big-endian bytes. */
const awsImplementations: Record<'CRC32' | 'CRC32C' | 'CRC64NVME', () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }> = {
  CRC32: () => new Crc32Js(),
  CRC32C: () => new Crc32cJs(),
  CRC64NVME: () => new Crc64NvmeJs(),
};

describe('checksums agree with the AWS SDK', () => {
  it.each(Object.keys(awsImplementations) as (keyof typeof awsImplementations)[])('%s over lengths 0..300 and 64 KiB + 3', async (algorithm) => {
    for (const length of [...Array.from({ length: 301 }, (_, i) => i), 65_539]) {
      const data = patternBytes(length, length + 1);
      const aws = awsImplementations[algorithm]();
      aws.update(data);
      expect(checksumOf(algorithm, data), `${algorithm} of ${length} bytes`).toBe(Buffer.from(await aws.digest()).toString('base64'));
    }
  });
});

describe('multipart checksums', () => {
  const parts = [patternBytes(5000, 1), patternBytes(1, 2), patternBytes(0, 3), patternBytes(70_001, 4)];
  const whole = Buffer.concat(parts);

  it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)('%s FULL_OBJECT: the parts combine into the CRC of all the bytes', (algorithm) => {
    const partChecksums = parts.map((p) => ({ value: checksumOf(algorithm, p), size: p.length }));
    expect(multipartChecksum(algorithm, partChecksums)).toBe(checksumOf(algorithm, whole));
  });

  it.each(['SHA1', 'SHA256'] as const)('%s COMPOSITE: the hash of the parts\' binary hashes, then -<parts>', (algorithm) => {
    const partChecksums = parts.map((p) => ({ value: checksumOf(algorithm, p), size: p.length }));
    const concatenated = Buffer.concat(partChecksums.map((p) => Buffer.from(p.value, 'base64')));
    expect(multipartChecksum(algorithm, partChecksums)).toBe(`${checksumOf(algorithm, concatenated)}-4`);
  });
});
