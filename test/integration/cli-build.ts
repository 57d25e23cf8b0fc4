/**
 * vitest globalSetup: builds the package once, with the package's own build config, so the CLI
 * tests run the built bin (cli/main.js) as a child process. Into `.cli-dist/`, not `dist/`: the
 * tarball test's `npm pack` rebuilds dist/ from scratch while other tests run. Only when a server
 * is there: without S3_ENDPOINT the integration tests skip, and nothing needs building.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    cliBuilt: boolean;
  }
}

export default function setup(project: TestProject): void {
  if (!process.env.S3_ENDPOINT) {
    project.provide('cliBuilt', false);
    return;
  }
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // Beside dist/, at the same depth, so that the CLI finds node_modules and package.json as installed.
  rmSync(`${root}.cli-dist`, { recursive: true, force: true });
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--outDir', `${root}.cli-dist`], {
    stdio: 'inherit',
  });
  project.provide('cliBuilt', true);
}
