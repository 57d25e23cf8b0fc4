/**
 * S3's flexible checksums: CRC32, CRC32C, CRC64NVME, SHA1, SHA256 of an object's bytes, sent as
 * `x-amz-checksum-<algorithm>` (base64 of the big-endian value) and stored by the server.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *
 * Opt-in only: the AWS SDKs' switch to default CRC checksums (2025) broke uploads to several
 * S3-compatible stores that reject or mishandle the headers.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { combineCrc, type CrcShape } from './combine.js';
import { crc32c } from './crc32c.js';
import { Crc64Nvme } from './crc64nvme.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** A checksum and the algorithm that made it, as S3 reports it (base64; `-N` for a composite of N parts). */
export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  /** FULL_OBJECT: of the whole object's bytes; COMPOSITE: a checksum of the parts' checksums. */
  type: 'FULL_OBJECT' | 'COMPOSITE' | undefined;
}

/** A checksum being computed over bytes that arrive in pieces. */
export interface RunningChecksum {
  update(data: Uint8Array): void;
  /** The checksum as S3 sends it: base64 of the big-endian value. */
  digest(): string;
}

function crc32Of(compute: (data: Uint8Array, previous: number) => number): () => RunningChecksum {
  return () => {
    let crc = 0;
    return {
      update: (data) => void (crc = compute(data, crc)),
      digest: () => {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(crc >>> 0);
        return out.toString('base64');
      },
    };
  };
}

function hashOf(name: 'sha1' | 'sha256'): () => RunningChecksum {
  return () => {
    const hash = createHash(name);
    return { update: (data) => void hash.update(data), digest: () => hash.digest('base64') };
  };
}

const CRC64_STATE = (): RunningChecksum => {
  const crc = new Crc64Nvme();
  return {
    update: (data) => void crc.update(data),
    digest: () => {
      const out = Buffer.alloc(8);
      out.writeUInt32BE(crc.hi, 0);
      out.writeUInt32BE(crc.lo, 4);
      return out.toString('base64');
    },
  };
};

/** The CRCs, whose values combine into the whole object's (FULL_OBJECT multipart checksums). */
const CRC_SHAPES: Partial<Record<ChecksumAlgorithm, CrcShape>> = {
  CRC32: { width: 32, polynomial: 0xedb88320n },
  CRC32C: { width: 32, polynomial: 0x82f63b78n },
  CRC64NVME: { width: 64, polynomial: 0x9a6c9329ac4bc9b5n },
};

const FACTORIES: Record<ChecksumAlgorithm, () => RunningChecksum> = {
  // zlib.crc32 is native (Node >= 20.15).
  CRC32: crc32Of((data, previous) => crc32(data, previous)),
  CRC32C: crc32Of(crc32c),
  CRC64NVME: CRC64_STATE,
  SHA1: hashOf('sha1'),
  SHA256: hashOf('sha256'),
};

export function createChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  return FACTORIES[algorithm]();
}

/** The checksum of bytes in memory. @example checksumOf('CRC32C', bytes) // 'yZRlqg==' */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const running = createChecksum(algorithm);
  running.update(data);
  return running.digest();
}

/** `x-amz-checksum-crc32c` and the like. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/**
 * How a multipart upload's checksum is formed. CRCs: FULL_OBJECT, the CRC of all the bytes (so a
 * GET of the whole object can be checked against it); CRC64NVME allows nothing else. SHA1 and
 * SHA256 cannot be combined: COMPOSITE, the hash of the parts' hashes, suffixed `-<parts>`.
 */
export function multipartChecksumType(algorithm: ChecksumAlgorithm): 'FULL_OBJECT' | 'COMPOSITE' {
  return CRC_SHAPES[algorithm] ? 'FULL_OBJECT' : 'COMPOSITE';
}

/** One part's checksum (base64) and length, in part order. */
export interface PartChecksum {
  readonly value: string;
  readonly size: number;
}

/** The whole upload's checksum from its parts' (in part-number order), as S3 computes it. */
export function multipartChecksum(algorithm: ChecksumAlgorithm, parts: readonly PartChecksum[]): string {
  const shape = CRC_SHAPES[algorithm];
  if (shape) {
    let crc: bigint | undefined;
    for (const part of parts) {
      const value = BigInt('0x' + Buffer.from(part.value, 'base64').toString('hex'));
      crc = crc === undefined ? value : combineCrc(shape, crc, value, part.size);
    }
    const out = Buffer.alloc(shape.width / 8);
    if (shape.width === 64) out.writeBigUInt64BE(crc ?? 0n);
    else out.writeUInt32BE(Number(crc ?? 0n));
    return out.toString('base64');
  }
  const running = createChecksum(algorithm);
  for (const part of parts) running.update(Buffer.from(part.value, 'base64'));
  return `${running.digest()}-${parts.length}`;
}

export { crc32c } from './crc32c.js';
export { Crc64Nvme, crc64nvmeBigInt } from './crc64nvme.js';
