/**
 * vitest globalSetup: builds the package once (`npm run build`, as a user would), so the CLI tests
 * run the real bin, dist/cli/main.js, as a child process. Only when a server is there: without
 * S3_ENDPOINT the integration tests skip, and nothing needs building.
 */
import { execFileSync } from 'node:child_process';
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
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  project.provide('cliBuilt', true);
}
