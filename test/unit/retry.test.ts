/**
 * The retry policy (retry.ts): backoff bases by kind of failure, the cap, Retry-After, and the
 * client-wide retry budget. Pure functions, a fixed "random", no sleeping; the budget is also
 * pinned end to end through a client whose MockAgent always answers SlowDown.
 */
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Client, S3Error } from '../../src/index.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, isThrottling, parseRetryAfter, RetryBudget } from '../../src/s3/retry.js';

const top = (): number => 0.999_999;

describe('backoffDelay', () => {
  it.each([
    ['a reset', { code: 'ECONNRESET', retryable: true }, 0, 100],
    ['a reset, third retry', { code: 'ECONNRESET', retryable: true }, 2, 400],
    ['500 InternalError', { code: 'InternalError', statusCode: 500, retryable: true }, 1, 200],
    ['SlowDown', { code: 'SlowDown', statusCode: 503, retryable: true }, 0, 500],
    ['SlowDown, third retry', { code: 'SlowDown', statusCode: 503, retryable: true }, 2, 2000],
    ['429 from a proxy', { code: 'TooManyRequests', statusCode: 429, retryable: true }, 1, 1000],
    ['RequestLimitExceeded', { code: 'RequestLimitExceeded', statusCode: 400, retryable: true }, 0, 500],
    ['SlowDown, tenth retry (capped)', { code: 'SlowDown', statusCode: 503, retryable: true }, 9, 20_000],
  ])('%s waits at most the base for its kind, doubled per retry, capped', (_name, failure, attempt, ceiling) => {
    expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, failure, undefined, top)).toBe(ceiling - 1);
    expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, failure, undefined, () => 0)).toBe(0);
  });

  it('waits at least what Retry-After asks, but never past the cap', () => {
    const slowDown = { code: 'SlowDown', statusCode: 503, retryable: true };
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, slowDown, 3_000, () => 0)).toBe(3_000);
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, slowDown, 120_000, () => 0)).toBe(20_000);
  });

  it('classifies throttling by code and by status', () => {
    expect(isThrottling({ code: 'SlowDown', retryable: true })).toBe(true);
    expect(isThrottling({ code: 'ServiceUnavailable', statusCode: 503, retryable: true })).toBe(true);
    expect(isThrottling({ code: 'InternalError', statusCode: 500, retryable: true })).toBe(false);
    expect(isThrottling({ code: 'ECONNRESET', retryable: true })).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['2', 2_000],
    [' 0 ', 0],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5_000],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(ms);
  });
});

describe('RetryBudget', () => {
  it('spends 5 tokens a retry, 10 after a timeout, refuses when empty, and refills on success', () => {
    const budget = new RetryBudget(20);
    expect(budget.take({ code: 'SlowDown', statusCode: 503, retryable: true })).toBe(5);
    expect(budget.take({ code: 'UND_ERR_HEADERS_TIMEOUT', retryable: true })).toBe(10);
    expect(budget.tokens).toBe(5);
    expect(budget.take({ code: 'UND_ERR_BODY_TIMEOUT', retryable: true })).toBeUndefined();
    budget.succeeded(10);
    expect(budget.tokens).toBe(15);
    budget.succeeded(undefined);
    expect(budget.tokens).toBe(16);
    for (let i = 0; i < 100; i++) budget.succeeded(undefined);
    expect(budget.tokens).toBe(20);
  });

  it('a budget of 0 turns it off: every retry the policy allows is made', () => {
    const budget = new RetryBudget(0);
    for (let i = 0; i < 1000; i++) expect(budget.take({ code: 'SlowDown', retryable: true })).toBe(0);
  });
});

describe('the budget is client-wide', () => {
  let agent: MockAgent;
  afterEach(async () => {
    await agent.close();
  });

  it('a store that keeps answering SlowDown drains it, and later calls stop retrying at once', async () => {
    agent = new MockAgent();
    agent.disableNetConnect();
    const s3 = new S3Client({
      endpoint: 'http://store.test',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      retries: { retries: 3, baseDelayMs: 0, throttleBaseDelayMs: 0, maxDelayMs: 0, budget: 12 },
      dispatcher: agent,
    });
    const slowDown = '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>';
    agent.get('http://store.test').intercept({ path: () => true, method: 'GET' }).reply(503, slowDown).persist();
    const first = (await s3.get({ bucket: 'bucket', key: 'k' }).catch((e: unknown) => e)) as S3Error;
    expect(first.code).toBe('SlowDown');
    expect(first.attempts).toBe(3); // 12 tokens: two retries of 5, then not enough for a third
    const second = (await s3.get({ bucket: 'bucket', key: 'k' }).catch((e: unknown) => e)) as S3Error;
    expect(second.attempts).toBe(1);
  });
});
