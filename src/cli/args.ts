/**
 * The command line, parsed with Node's own util.parseArgs: global options anywhere on the line,
 * then each command's own options, checked so that `ls --dryrun` is a usage error, not a no-op.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage.js';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'no-progress': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionSpec;

const COMMAND_OPTIONS = {
  recursive: { type: 'boolean', short: 'r' },
  concurrency: { type: 'string' },
  'part-size': { type: 'string' },
  range: { type: 'string' },
  human: { type: 'boolean' },
  dryrun: { type: 'boolean' },
  'expires-in': { type: 'string' },
  method: { type: 'string' },
} as const satisfies OptionSpec;

type CommandOption = keyof typeof COMMAND_OPTIONS;

/** Each command: its options and how many positional arguments it takes. */
export const COMMANDS = {
  cp: { options: ['recursive', 'concurrency', 'part-size', 'range'], min: 2, max: 2 },
  ls: { options: ['recursive', 'human'], min: 0, max: 1 },
  rm: { options: ['recursive', 'dryrun'], min: 1, max: 1 },
  presign: { options: ['expires-in', 'method'], min: 1, max: 1 },
  mb: { options: [], min: 1, max: 1 },
  rb: { options: [], min: 1, max: 1 },
  stat: { options: [], min: 1, max: 1 },
  cat: { options: ['range'], min: 1, max: 1 },
} as const satisfies Record<string, { options: readonly CommandOption[]; min: number; max: number }>;

export type CommandName = keyof typeof COMMANDS;

export interface GlobalOptions {
  endpointUrl: string | undefined;
  region: string | undefined;
  profile: string | undefined;
  progress: boolean;
  json: boolean;
  quiet: boolean;
  debug: boolean;
}

export interface CommandOptions {
  recursive: boolean;
  concurrency: string | undefined;
  partSize: string | undefined;
  range: string | undefined;
  human: boolean;
  dryrun: boolean;
  expiresIn: string | undefined;
  method: string | undefined;
}

export type ParsedCommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandName; args: string[]; global: GlobalOptions; options: CommandOptions };

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // parseArgs explains unknown options and missing values well; only the usage text is added.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals, tokens } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [name, ...args] = positionals;
  if (name === undefined) throw new UsageError('no command given');
  if (!isCommand(name)) throw new UsageError(`unknown command '${name}'`);
  const spec = COMMANDS[name];
  const allowed: readonly string[] = spec.options;
  for (const token of tokens) {
    if (token.kind === 'option' && Object.hasOwn(COMMAND_OPTIONS, token.name) && !allowed.includes(token.name)) {
      throw new UsageError(`${name} does not take ${token.rawName}`);
    }
  }
  if (args.length < spec.min || args.length > spec.max) {
    const count = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
    throw new UsageError(`${name} takes ${count} argument${spec.max === 1 ? '' : 's'}, got ${args.length}`);
  }
  return {
    kind: 'command',
    command: name,
    args,
    global: {
      endpointUrl: values['endpoint-url'],
      region: values.region,
      profile: values.profile,
      progress: !values['no-progress'],
      json: values.json ?? false,
      quiet: values.quiet ?? false,
      debug: values.debug ?? false,
    },
    options: {
      recursive: values.recursive ?? false,
      concurrency: values.concurrency,
      partSize: values['part-size'],
      range: values.range,
      human: values.human ?? false,
      dryrun: values.dryrun ?? false,
      expiresIn: values['expires-in'],
      method: values.method,
    },
  };
}
