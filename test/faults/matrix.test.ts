/**
 * Every (operation, fault) pair through the fault proxy in front of the real server, twice:
 * - transient: the operation's first request meets the fault, the retry passes → the call succeeds
 *   and the server holds exactly what it should;
 * - persistent: every request of the operation meets it → the call ends with the right typed error
 *   (the deadline's, for answers that never come), or succeeds where the server did the work and
 *   the client can prove it (a Complete whose answers were lost); the server's state matches.
 * After each, ListMultipartUploads under the test's prefix is empty: no orphan, whatever happened.
 */
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { S3Error, S3NetworkError, type S3Client } from '../../src/index.js';
import { describeWithServer, patternBytes, removeTestBucket, s3Server, testClient, uniqueBucketName } from '../integration/server.js';
import { codeOf, faultedClient, NETWORK_CODE, QUICK, UNHURRIED, type Pace } from './harness.js';
import { FAULTS_BY_OPERATION, type Fault, type Operation } from './proxy.js';

const KiB = 1024;
const MiB = 1024 * KiB;

type Tested = keyof typeof FAULTS_BY_OPERATION;

/** Faults after which the server has done the work (the request went through; the answer is what suffers). */
const FORWARDED: ReadonlySet<Fault> = new Set(['delay', 'truncate-body', 'stall-body', 'lost-answer']);

interface Case {
  /** Puts what the operation needs on the server (direct client). */
  setup(direct: S3Client, prefix: string): Promise<void>;
  /** The call under test, through the proxy; throws (an S3Error, S3NetworkError, or a per-key error) on failure. */
  run(s3: S3Client, prefix: string): Promise<void>;
  /** Asserts the server's state: `done` when the operation's effect must be there, else when it must not. */
  verify(direct: S3Client, prefix: string, done: boolean, expect: ExpectFn): Promise<void>;
  /** Reads change nothing: their state check is that the setup is untouched. */
  readonly readOnly?: boolean;
  readonly pace?: Pace;
  /** Moves megabytes: run a few at a time (see `heavy`), not as many as vitest allows. */
  readonly heavy?: boolean;
}

type ExpectFn = typeof import('vitest').expect;

const small = patternBytes(200 * KiB, 7);
const large = patternBytes(5 * MiB + 3 * KiB, 11);

async function bytesOf(direct: S3Client, key: string): Promise<Uint8Array | undefined> {
  try {
    return await (await direct.get({ key })).bytes();
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function expectObject(direct: S3Client, key: string, bytes: Uint8Array | undefined, expect: ExpectFn): Promise<void> {
  const stored = await bytesOf(direct, key);
  if (bytes === undefined) expect(stored, `${key} should be absent`).toBeUndefined();
  else expect(stored && Buffer.compare(Buffer.from(stored), Buffer.from(bytes)) === 0, `${key} should hold its bytes`).toBe(true);
}

const upload: Case = {
  pace: UNHURRIED,
  heavy: true,
  async setup() {},
  async run(s3, prefix) {
    await s3.upload({ key: `${prefix}big`, body: large, partSize: 5 * MiB });
  },
  async verify(direct, prefix, done, expect) {
    await expectObject(direct, `${prefix}big`, done ? large : undefined, expect);
  },
};

const readOnly = (run: Case['run']): Case => ({
  readOnly: true,
  async setup(direct, prefix) {
    await direct.put({ key: `${prefix}a`, body: small });
    await direct.put({ key: `${prefix}b`, body: 'b' });
  },
  run,
  async verify(direct, prefix, _done, expect) {
    await expectObject(direct, `${prefix}a`, small, expect);
  },
});

const CASES: Record<Tested, Case> = {
  PutObject: {
    async setup() {},
    async run(s3, prefix) {
      await s3.put({ key: `${prefix}a`, body: small });
    },
    async verify(direct, prefix, done, expect) {
      await expectObject(direct, `${prefix}a`, done ? small : undefined, expect);
    },
  },
  DeleteObject: {
    async setup(direct, prefix) {
      await direct.put({ key: `${prefix}a`, body: small });
    },
    async run(s3, prefix) {
      await s3.delete({ key: `${prefix}a` });
    },
    async verify(direct, prefix, done, expect) {
      await expectObject(direct, `${prefix}a`, done ? undefined : small, expect);
    },
  },
  CopyObject: {
    async setup(direct, prefix) {
      await direct.put({ key: `${prefix}a`, body: small });
    },
    async run(s3, prefix) {
      await s3.copy({ from: { key: `${prefix}a` }, to: { key: `${prefix}copy` } });
    },
    async verify(direct, prefix, done, expect) {
      await expectObject(direct, `${prefix}copy`, done ? small : undefined, expect);
    },
  },
  DeleteObjects: {
    async setup(direct, prefix) {
      for (const name of ['a', 'b', 'c']) await direct.put({ key: `${prefix}${name}`, body: small });
    },
    async run(s3, prefix) {
      const result = await s3.deleteMany({ keys: ['a', 'b', 'c'].map((name) => `${prefix}${name}`) });
      if (result.errors.length > 0) throw result.errors[0];
    },
    async verify(direct, prefix, done, expect) {
      for (const name of ['a', 'b', 'c']) await expectObject(direct, `${prefix}${name}`, done ? undefined : small, expect);
    },
  },
  GetObject: readOnly(async (s3, prefix) => {
    const bytes = await (await s3.get({ key: `${prefix}a` })).bytes();
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(small)) !== 0) throw new Error('GET returned other bytes');
  }),
  HeadObject: readOnly(async (s3, prefix) => {
    const info = await s3.head({ key: `${prefix}a` });
    if (info.contentLength !== small.length) throw new Error('HEAD returned another length');
  }),
  ListObjectsV2: readOnly(async (s3, prefix) => {
    const keys: string[] = [];
    for await (const object of s3.list({ prefix, pageSize: 1 })) keys.push(object.key);
    if (keys.join() !== `${prefix}a,${prefix}b`) throw new Error(`list returned ${keys.join()}`);
  }),
  ListMultipartUploads: readOnly(async (s3, prefix) => {
    const uploads = await s3.listMultipartUploads({ prefix });
    if (uploads.length !== 0) throw new Error('unexpected uploads');
  }),
  CreateMultipartUpload: upload,
  UploadPart: upload,
  CompleteMultipartUpload: upload,
};

/** What a persistent fault must end in: success (null), or an error whose code matches. */
function persistentOutcome(operation: Tested, fault: Fault): string | RegExp | null {
  if (operation === 'CompleteMultipartUpload' && FORWARDED.has(fault)) return null; // proven by HEAD
  switch (fault) {
    case 'slowdown':
      // HEAD answers carry no body: the status alone names the error.
      return operation === 'HeadObject' ? 'ServiceUnavailable' : 'SlowDown';
    case 'internal-error':
    case 'error-in-200':
      return 'InternalError';
    case 'delay':
    case 'stall-body':
      return 'DeadlineExceeded';
    default:
      return NETWORK_CODE;
  }
}

/** Whether the operation's effect is on the server after a persistent fault. */
function persistentEffect(operation: Tested, fault: Fault): boolean {
  if (operation === 'CreateMultipartUpload' || operation === 'UploadPart') return false;
  return FORWARDED.has(fault);
}

/** Uploads of 5 MiB parts at once: more would only slow each other past their timeouts on 2 cores. */
const heavy = pLimit(3);

interface Row {
  operation: Tested;
  fault: Fault;
  mode: 'transient' | 'persistent';
  outcome: string;
  ms: number;
  deadline: number | undefined;
}
const rows: Row[] = [];

describeWithServer('fault matrix: every operation against every fault, through a proxy in front of the real server', () => {
  const bucket = uniqueBucketName('s3lane-faults');
  let direct: S3Client;

  beforeAll(async () => {
    direct = testClient({ bucket });
    await direct.createBucket();
  });

  afterAll(async () => {
    if (!direct) return;
    const table = rows
      .sort((a, b) => a.operation.localeCompare(b.operation) || a.fault.localeCompare(b.fault) || a.mode.localeCompare(b.mode))
      .map((r) => `${r.operation.padEnd(24)} ${r.fault.padEnd(18)} ${r.mode.padEnd(10)} ${r.outcome.padEnd(22)} ${String(r.ms).padStart(5)} ms${r.deadline ? ` / ${r.deadline} ms deadline` : ''}`);
    if (process.env['S3LANE_FAULT_TABLE']) console.log(`(operation, fault) outcomes\n${table.join('\n')}`);
    await removeTestBucket(direct);
    await direct.close();
  });

  for (const [operation, faults] of Object.entries(FAULTS_BY_OPERATION) as [Tested, readonly Fault[]][]) {
    const testCase = CASES[operation];
    describe.concurrent(operation, () => {
      for (const fault of faults) {
        for (const mode of ['transient', 'persistent'] as const) {
          const expected = mode === 'transient' ? null : persistentOutcome(operation, fault);
          const effect = mode === 'transient' || persistentEffect(operation, fault);
          const title =
            `${fault}, ${mode}: ` +
            (expected === null ? 'succeeds' : `fails with ${String(expected)}`) +
            (testCase.readOnly ? '' : effect ? ', effect on the server' : ', nothing on the server');
          // A heavy case may wait for its turn: its time limit counts the wait.
          it(title, async ({ expect }) => (testCase.heavy ? heavy(() => check(expect)) : check(expect)), testCase.heavy ? 240_000 : undefined);
          const check = async (expect: ExpectFn): Promise<void> => {
            if (!s3Server) throw new Error('no server');
            const prefix = `${operation}/${fault}/${mode}/`;
            await testCase.setup(direct, prefix);
            const pace = testCase.pace ?? QUICK;
            // Answers that never come are ended by the deadline; every other persistent fault by the retries running out.
            const deadline = mode === 'persistent' && (fault === 'delay' || fault === 'stall-body') ? pace.deadlineMs : undefined;
            const client = await faultedClient(
              s3Server.endpoint,
              bucket,
              ({ operation: op, index }) => (op === operation && (mode === 'persistent' || index === 0) ? fault : undefined),
              pace,
              { deadlineMs: deadline },
            );
            const started = Date.now();
            let error: unknown;
            try {
              await testCase.run(client.s3, prefix);
            } catch (caught) {
              error = caught;
            }
            // The call's own time; close() then waits for clean-up left running after a deadline.
            const ms = Date.now() - started;
            await client.close();
            rows.push({ operation, fault, mode, outcome: error === undefined ? 'ok' : `${codeOf(error) ?? String(error)}`, ms, deadline });
            expect(client.proxy.faulted(operation), 'the fault was injected').toBeGreaterThan(0);
            if (expected === null) expect(error).toBeUndefined();
            else {
              expect(error, 'a typed error').toSatisfy((e: unknown) => e instanceof S3Error || e instanceof S3NetworkError || operation === 'DeleteObjects');
              expect(codeOf(error)).toMatch(expected);
            }
            await testCase.verify(direct, prefix, effect, expect);
            expect(await direct.listMultipartUploads({ prefix })).toEqual([]);
          };
        }
      }
    });
  }
});
