/** Test helpers for aws-chunked bodies: run bytes through a stream and read the frames back. */
import { SigV4Signer, type ChunkSigner } from '../../../src/signer/index.js';

const docExampleSigner = new SigV4Signer({
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 's3',
});

/** A chunk signer seeded as S3's documented aws-chunked example is (its keys, date and seed signature). */
export function docExampleChunkSigner(): ChunkSigner {
  return docExampleSigner.chunkSigner({
    seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    date: new Date('2013-05-24T00:00:00Z'),
  });
}

/** Writes `pieces` through `stream` and returns what it emitted, concatenated and as emitted. */
export async function pipeThrough(
  stream: TransformStream<Uint8Array, Uint8Array>,
  pieces: readonly Uint8Array[],
): Promise<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const out: Uint8Array[] = [];
  const reader = source.pipeThrough(stream).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(value);
  }
  return { bytes: Buffer.concat(out), chunks: out };
}

export interface Frame {
  readonly size: number;
  readonly signature: string;
  readonly data: Uint8Array;
}

/** Parses `hex(size);chunk-signature=<sig>\r\n<data>\r\n` frames up to and including the 0-byte one. */
export function parseFrames(bytes: Uint8Array): { frames: Frame[]; rest: Uint8Array } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new Error(`no frame header at byte ${offset}`);
    const match = /^([0-9a-f]+);chunk-signature=([0-9a-f]{64})$/.exec(text.toString('latin1', offset, lineEnd));
    if (match === null) throw new Error(`bad frame header at byte ${offset}`);
    const size = Number.parseInt(match[1]!, 16);
    const dataStart = lineEnd + 2;
    frames.push({ size, signature: match[2]!, data: bytes.subarray(dataStart, dataStart + size) });
    offset = dataStart + size;
    if (size === 0) return { frames, rest: bytes.subarray(offset) };
    if (text.toString('latin1', offset, offset + 2) !== '\r\n') throw new Error(`no CRLF after data at byte ${offset}`);
    offset += 2;
  }
}
