/**
 * Benchmark input files on disk, made once and reused. Content is random (not zeros), so nothing
 * along the way can compress or deduplicate it.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';

export interface FileSpec {
  /** Path relative to the data directory, e.g. `small/00042.bin`; also a natural object key. */
  name: string;
  bytes: number;
}

export interface DataFile extends FileSpec {
  path: string;
}

const CHUNK = 1024 * 1024;

/** `count` files of `bytes` each, named `<group>/<index>.bin` with zero-padded indexes. */
export function fileGroup(group: string, count: number, bytes: number): FileSpec[] {
  const digits = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => ({ name: `${group}/${String(i).padStart(digits, '0')}.bin`, bytes }));
}

/** Writes each file that is missing or of the wrong size; returns all of them with absolute paths. */
export async function ensureFiles(dir: string, specs: readonly FileSpec[]): Promise<{ files: DataFile[]; written: number }> {
  let written = 0;
  const files: DataFile[] = [];
  for (const spec of specs) {
    const path = join(dir, spec.name);
    if ((await sizeOf(path)) !== spec.bytes) {
      await writeRandomFile(path, spec.bytes);
      written++;
    }
    files.push({ ...spec, path });
  }
  return { files, written };
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= CHUNK) {
    if (!out.write(randomBytes(Math.min(CHUNK, left)))) await once(out, 'drain');
  }
  out.end();
  await finished(out);
}
