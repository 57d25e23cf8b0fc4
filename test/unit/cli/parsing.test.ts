/** The CLI's parsers: command lines, s3:// URLs, sizes and ranges, table by table. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/cli/args.js';
import { folderPrefix, parseEndpoint } from '../../../src/cli/s3-url.js';
import { formatBytes, parseRange, parseSize } from '../../../src/cli/size.js';
import { UsageError } from '../../../src/cli/usage.js';

describe('parseSize', () => {
  it.each([
    ['16MiB', 16 * 2 ** 20],
    ['16MB', 16 * 2 ** 20],
    ['16m', 16 * 2 ** 20],
    ['5242880', 5 * 2 ** 20],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['64 KiB', 64 * 1024],
    ['10B', 10],
  ])('%s is %i bytes', (text, bytes) => expect(parseSize(text, 'part-size')).toBe(bytes));

  it.each(['', 'lots', '-5MiB', '0', '16XB', '16MiBs', '1e9'])('%j is a usage error', (text) => {
    expect(() => parseSize(text, 'part-size')).toThrow(UsageError);
  });
});

describe('parseRange', () => {
  it.each([
    ['0-1023', { start: 0, end: 1023 }],
    ['1024-', { start: 1024 }],
    ['-500', { suffix: 500 }],
    ['7-7', { start: 7, end: 7 }],
  ])('%s', (text, range) => expect(parseRange(text)).toEqual(range));

  it.each(['', '-', '10-5', '-0', 'a-b', '1-2-3'])('%j is a usage error', (text) => expect(() => parseRange(text)).toThrow(UsageError));
});

describe('s3:// URLs', () => {
  it.each([
    ['s3://bucket', { kind: 's3', location: { bucket: 'bucket', key: '' } }],
    ['s3://bucket/', { kind: 's3', location: { bucket: 'bucket', key: '' } }],
    ['s3://bucket/a/b c/ü.txt', { kind: 's3', location: { bucket: 'bucket', key: 'a/b c/ü.txt' } }],
    ['s3://bucket/prefix/', { kind: 's3', location: { bucket: 'bucket', key: 'prefix/' } }],
    ['-', { kind: 'stdio' }],
    ['./s3:/not-a-url', { kind: 'local', path: './s3:/not-a-url' }],
  ])('%s', (text, endpoint) => expect(parseEndpoint(text)).toEqual(endpoint));

  it('s3:// without a bucket is a usage error', () => expect(() => parseEndpoint('s3:///key')).toThrow(UsageError));

  it.each([
    ['', ''],
    ['photos', 'photos/'],
    ['photos/', 'photos/'],
  ])('folderPrefix(%j) is %j', (key, prefix) => expect(folderPrefix(key)).toBe(prefix));
});

describe('parseCommandLine', () => {
  it('takes global options before or after the command, and short forms', () => {
    const parsed = parseCommandLine(['--region', 'eu-west-1', 'cp', './d', 's3://b/p/', '-r', '--concurrency', '4', '--json']);
    expect(parsed).toMatchObject({
      kind: 'command',
      command: 'cp',
      args: ['./d', 's3://b/p/'],
      global: { region: 'eu-west-1', json: true, progress: true },
      options: { recursive: true, concurrency: '4' },
    });
  });

  it('reads - as an argument (stdin/stdout), not an option', () => {
    expect(parseCommandLine(['cp', '-', 's3://b/k'])).toMatchObject({ args: ['-', 's3://b/k'] });
  });

  it('--no-progress turns the live display off', () => {
    expect(parseCommandLine(['ls', '--no-progress'])).toMatchObject({ global: { progress: false } });
  });

  it.each([
    [[], /no command/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['ls', '--dryrun'], /ls does not take --dryrun/],
    [['cp', 'a'], /cp takes 2 arguments, got 1/],
    [['rm'], /rm takes 1 argument, got 0/],
    [['ls', '--colour'], /Unknown option '--colour'/],
    [['cp', 'a', 'b', '--concurrency'], /--concurrency/],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('--help and --version win over everything else', () => {
    expect(parseCommandLine(['cp', '--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.50 KiB'],
    [14.1 * 2 ** 20, '14.1 MiB'],
    [300 * 2 ** 30, '300 GiB'],
  ])('%d is %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
