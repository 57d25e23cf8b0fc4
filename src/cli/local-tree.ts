/**
 * The files of a local directory tree, as object keys ('/'-separated, relative to the root) mapped to
 * their paths. Symbolic links are followed, as `aws s3 cp --recursive` does; a link to a directory
 * already on the current path is skipped (it would loop). Anything that is not a directory is
 * listed, even a dangling link or a FIFO: the upload then fails for it, and says why, instead of
 * the file silently going missing.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export async function listTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) isDirectory = await stat(path).then((info) => info.isDirectory(), () => false);
      if (!isDirectory) {
        files.set(relative(root, path).split(sep).join('/'), path);
        continue;
      }
      const real = await realpath(path);
      if (ancestors.has(real)) continue;
      await walk(path, new Set([...ancestors, real]));
    }
  };
  await walk(root, new Set([await realpath(root)]));
  return files;
}
