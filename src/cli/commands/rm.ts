/**
 * s3lane rm: one object, or (--recursive) every object under a prefix, deleted 1000 keys a request
 * as the listing goes. --dryrun lists what would go and deletes nothing.
 */
import type { CommandContext } from '../context.js';
import { folderPrefix, formatS3Url, requireS3Url } from '../s3-url.js';
import { UsageError } from '../usage.js';

/** DeleteObjects takes at most 1000 keys, as a ListObjectsV2 page holds. */
const BATCH = 1000;

export async function rm(context: CommandContext): Promise<void> {
  const { s3, output, signal, options } = context;
  const location = requireS3Url(context.args[0], 'rm');
  const { bucket } = location;
  const urlOf = (key: string): string => formatS3Url({ bucket, key });
  const dryrun = options.dryrun;

  if (!options.recursive) {
    if (location.key === '') throw new UsageError(`rm ${context.args[0]}: name a key, or add --recursive to empty the bucket`);
    if (dryrun) output.item({ action: 'delete', source: urlOf(location.key), dryrun });
    else {
      try {
        await s3.delete({ bucket, key: location.key, signal });
        output.item({ action: 'delete', source: urlOf(location.key) });
      } catch (error) {
        output.item({ action: 'delete', source: urlOf(location.key), error });
      }
    }
    output.summary('delete', { dryrun });
    return;
  }

  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    const keys = batch;
    batch = [];
    if (keys.length === 0) return;
    if (dryrun) {
      for (const key of keys) output.item({ action: 'delete', source: urlOf(key), dryrun });
      return;
    }
    const result = await s3.deleteMany({ bucket, keys, signal });
    for (const key of result.deleted) output.item({ action: 'delete', source: urlOf(key) });
    for (const failure of result.errors) {
      output.item({ action: 'delete', source: urlOf(failure.key), error: Object.assign(new Error(failure.message), { code: failure.code }) });
    }
  };
  for await (const object of s3.list({ bucket, prefix: folderPrefix(location.key), signal })) {
    batch.push(object.key);
    if (batch.length === BATCH) await flush();
  }
  await flush();
  output.summary('delete', { dryrun });
}
