/**
 * s3lane ls: buckets (no argument), or the objects and "folders" under a prefix, one level
 * (delimiter '/') or, with --recursive, every key. Lines as `aws s3 ls` prints them.
 */
import type { CommandContext } from '../context.js';
import { formatS3Url, requireS3Url } from '../s3-url.js';
import { formatBytes } from '../size.js';

function localTimestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export async function ls(context: CommandContext): Promise<void> {
  const [url] = context.args;
  if (url === undefined) return listBuckets(context);
  const { s3, output, signal, options } = context;
  const location = requireS3Url(url, 'ls');
  // Names are shown relative to the "folder" being listed, as `aws s3 ls` does; --recursive shows whole keys.
  const shownFrom = options.recursive ? 0 : location.key.lastIndexOf('/') + 1;
  const size = (bytes: number): string => (options.human ? formatBytes(bytes) : String(bytes)).padStart(10);
  const pages = s3.listPages({ bucket: location.bucket, prefix: location.key, delimiter: options.recursive ? undefined : '/', signal });
  for await (const page of pages) {
    for (const prefix of page.commonPrefixes) {
      output.result(`${'PRE'.padStart(30)} ${prefix.slice(shownFrom)}`, { type: 'prefix', prefix, url: formatS3Url({ bucket: location.bucket, key: prefix }) });
    }
    for (const object of page.objects) {
      output.result(`${localTimestamp(object.lastModified)} ${size(object.size)} ${object.key.slice(shownFrom)}`, {
        type: 'object',
        key: object.key,
        size: object.size,
        lastModified: object.lastModified.toISOString(),
        etag: object.etag,
        storageClass: object.storageClass,
      });
    }
  }
}

async function listBuckets(context: CommandContext): Promise<void> {
  const buckets = await context.s3.listBuckets({ signal: context.signal });
  for (const bucket of buckets) {
    context.output.result(`${localTimestamp(bucket.creationDate)} ${bucket.name}`, {
      type: 'bucket',
      name: bucket.name,
      creationDate: bucket.creationDate.toISOString(),
      ...(bucket.region === undefined ? {} : { region: bucket.region }),
    });
  }
}
