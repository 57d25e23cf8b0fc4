/**
 * Local paths, checked before the request is sent: a download into a folder that does not exist
 * (or onto a directory) must fail before the GET, not after the bytes have come.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail } from './rules.js';

async function statOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function checkDestination(file: string, field = 'file'): Promise<void> {
  const target = await statOrUndefined(file);
  if (target?.isDirectory()) fail('InvalidDestination', field, 'is a directory: give the path of the file to write.');
  const folder = await statOrUndefined(dirname(file));
  if (folder === undefined) fail('InvalidDestination', field, `its folder ${JSON.stringify(dirname(file))} does not exist: create it first.`);
  if (!folder.isDirectory()) fail('InvalidDestination', field, `its parent ${JSON.stringify(dirname(file))} is not a directory.`);
}

export async function checkSourceFile(file: string, field = 'file'): Promise<void> {
  const info = await statOrUndefined(file);
  if (info === undefined) fail('InvalidUploadSource', field, `${JSON.stringify(file)} does not exist.`);
  if (!info.isFile()) fail('InvalidUploadSource', field, `${JSON.stringify(file)} is not a regular file.`);
}
