import { defineConfig } from 'vitest/config';

// Unit tests run everywhere; integration tests need a real S3 server and skip themselves when
// S3_ENDPOINT is not set (scripts/s3-server.sh sets it for `npm test`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores are shared with the local S3 server: more workers only add contention.
    maxWorkers: 2,
    // The fault matrix (test/faults) runs its cases concurrently: they mostly wait on injected delays.
    maxConcurrency: 12,
    // The leak test collects garbage on purpose to prove dropped GET bodies release their sockets.
    execArgv: ['--expose-gc'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Builds dist/ once for the CLI tests, which run the real bin as a child process.
    globalSetup: ['./test/integration/cli-build.ts'],
  },
});
