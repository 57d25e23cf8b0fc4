/**
 * Headless Chromium for the browser tests: Debian's `chromium` (which scripts/s3-server.sh installs
 * with radosgw), driven by playwright-core, which never downloads a browser of its own.
 *
 * Where Chromium is missing the browser tests are skipped, and say so loudly. Where the script
 * installed the test server's packages itself (S3_SERVER_KIND=ceph-rgw), Chromium was among them,
 * so there a missing browser fails the run instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';
import { s3Server } from './server.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Where screenshots and other test artefacts go (gitignored). */
export const TEST_OUTPUT_DIR = join(import.meta.dirname, '..', '..', 'test-output');

const installed = existsSync(CHROMIUM_PATH);
const required = s3Server?.kind === 'ceph-rgw';

if (s3Server && !installed) {
  const banner = '!'.repeat(100);
  console.warn(
    `\n${banner}\n!! BROWSER TESTS ${required ? 'WILL FAIL' : 'SKIPPED'}: ${CHROMIUM_PATH} is not installed.\n` +
      `!! Install Debian's chromium (apt-get install --no-install-recommends chromium), or run the tests through\n` +
      `!! scripts/s3-server.sh as root, which installs it with the test server.\n${banner}\n`,
  );
}

/** `describe` where a real server and Chromium are there (or Chromium must be), else a visibly skipped suite. */
export const describeWithBrowser = s3Server && (installed || required) ? describe : describe.skip;

/**
 * A fresh browser profile in a temporary directory. The flags keep Chromium from reaching for the
 * network on its own (updates, sync, field trials): on a machine without internet it would hang.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!installed) throw new Error(`${CHROMIUM_PATH} is missing, though scripts/s3-server.sh installs it with the test server`);
  const profile = await mkdtemp(join(tmpdir(), 's3lane-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 900, height: 640 },
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
