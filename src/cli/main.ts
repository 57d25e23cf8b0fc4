#!/usr/bin/env node
/**
 * s3lane: the command line. Parses the arguments, builds one S3Client from the global options
 * (credentials, region and endpoint otherwise come from AWS_* and ~/.aws, as for the library), runs
 * the command, and turns the outcome into the exit status: 0 all done, 1 something failed, 2 usage
 * error, 130 interrupted.
 */
import { readFileSync } from 'node:fs';
import { S3Client, S3ConfigError } from '../index.js';
import { parseCommandLine, type CommandName, type GlobalOptions } from './args.js';
import { cp } from './commands/cp.js';
import { ls } from './commands/ls.js';
import { cat, makeBucket, presign, removeBucket, statObject } from './commands/objects.js';
import { rm } from './commands/rm.js';
import type { CommandContext } from './context.js';
import { describeError } from './errors.js';
import { Output, type OutputMode } from './output.js';
import { USAGE, UsageError } from './usage.js';

const RUN: Record<CommandName, (context: CommandContext) => Promise<void>> = {
  cp,
  ls,
  rm,
  presign,
  mb: makeBucket,
  rb: removeBucket,
  stat: statObject,
  cat,
};

const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

function usageError(error: Error): number {
  process.stderr.write(`s3lane: ${error.message}\n\n${USAGE}`);
  return EXIT.usage;
}

function outputMode(global: GlobalOptions): OutputMode {
  if (global.json) return 'json';
  if (global.quiet) return 'quiet';
  return global.progress && process.stderr.isTTY ? 'live' : 'lines';
}

function createClient(global: GlobalOptions): S3Client {
  return new S3Client({
    endpoint: global.endpointUrl,
    region: global.region,
    profile: global.profile,
    logger: global.debug ? { debug: (message) => process.stderr.write(`${message}\n`) } : undefined,
  });
}

function version(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof manifest === 'object' && manifest !== null && 'version' in manifest ? String(manifest.version) : 'unknown';
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error);
    throw error;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`s3lane ${version()}\n`);
    return EXIT.ok;
  }

  const { command, args, global, options } = parsed;
  const interrupt = new AbortController();
  // When stdout carries an object's bytes, everything else goes to stderr.
  const dataOnStdout = command === 'cat' || (command === 'cp' && args[1] === '-');
  const output = new Output(outputMode(global), { out: dataOnStdout ? process.stderr : process.stdout, err: process.stderr }, interrupt.signal);
  // Ctrl-C: stop, let in-flight uploads abort their multipart uploads and downloads remove their
  // temporary files, then exit 130. A second Ctrl-C exits at once.
  const onSignal = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    output.close();
    process.stderr.write('s3lane: interrupted, cleaning up (Ctrl-C again to quit at once)\n');
    interrupt.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
    // No more input either: a pending read of stdin would keep the process alive.
    process.stdin.destroy();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let s3: S3Client | undefined;
  try {
    s3 = createClient(global);
    await RUN[command]({ s3, output, signal: interrupt.signal, args, options, stdin: process.stdin, stdout: process.stdout });
  } catch (error) {
    output.close();
    if (interrupt.signal.aborted) return EXIT.interrupted;
    // Bad input the library caught before any request (a malformed --endpoint-url, say) is a usage error too.
    if (error instanceof UsageError || error instanceof S3ConfigError) return usageError(error);
    output.error(`s3lane: ${describeError(error)}`);
    return EXIT.failed;
  } finally {
    output.close();
    await s3?.close();
  }
  if (interrupt.signal.aborted) return EXIT.interrupted;
  return output.failed > 0 ? EXIT.failed : EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`s3lane: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
