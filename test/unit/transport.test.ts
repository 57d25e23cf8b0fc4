/**
 * transport.ts loads two files of undici by path instead of its index (a third of the cold start).
 * These tests fail if an undici upgrade moves them or changes what they are: the deep files must be
 * the very Agent class and request function the index exports, and loadUndici() must take them
 * (its fallback to the index keeps working, but would quietly cost the cold start again).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadUndici, UNDICI_AGENT_PATH, UNDICI_REQUEST_PATH } from '../../src/s3/transport.js';

const require = createRequire(import.meta.url);
const index = require('undici') as typeof import('undici');

describe('undici loaded by path', () => {
  it('finds the Agent class the package index exports', () => {
    expect(require(UNDICI_AGENT_PATH)).toBe(index.Agent);
  });

  it('finds the request function the package index puts on every dispatcher', () => {
    expect(require(UNDICI_REQUEST_PATH)).toBe(index.Dispatcher.prototype.request);
  });

  it('loadUndici() takes the files by path, not the fallback', () => {
    const parts = loadUndici();
    expect(parts.Agent).toBe(require(UNDICI_AGENT_PATH));
    expect(parts.request).toBe(require(UNDICI_REQUEST_PATH));
  });
});
