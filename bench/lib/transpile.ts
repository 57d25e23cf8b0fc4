/**
 * Plain-JS copies of TypeScript sources for measured child processes. Running a child through tsx
 * adds its loader to the child (~45 MiB of peak RSS on Node 20), which a user's compiled program
 * does not pay; a transpiled copy runs on bare `node`.
 *
 * Each `.ts` file under the given folders is transpiled on its own (no type check: `npm run
 * typecheck` does that) to the same relative path under `outDir`. Keep `outDir` inside the
 * repository so that package imports still resolve from its node_modules.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  // As in tsconfig.json: imports are kept or dropped exactly as written (`import type` is dropped).
  verbatimModuleSyntax: true,
};

/** Replaces `outDir` with transpiled copies of `folders` (relative to `root`); returns the file count. */
export async function transpileFolders(root: string, folders: readonly string[], outDir: string): Promise<number> {
  await rm(outDir, { recursive: true, force: true });
  let count = 0;
  for (const folder of folders) {
    for (const file of await typeScriptFiles(join(root, folder))) {
      const source = await readFile(file, 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: file });
      const target = compiledPath(root, outDir, file);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
      count++;
    }
  }
  return count;
}

/** Where `transpileFolders` puts the copy of `file`. */
export function compiledPath(root: string, outDir: string, file: string): string {
  return join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
}

async function typeScriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}
