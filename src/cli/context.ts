/** What every command runs with. */
import type { S3Client } from '../index.js';
import type { CommandOptions } from './args.js';
import type { Output } from './output.js';

export interface CommandContext {
  s3: S3Client;
  output: Output;
  /** Aborted by Ctrl-C: commands pass it to every call, so in-flight work stops and cleans up. */
  signal: AbortSignal;
  args: string[];
  options: CommandOptions;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}
