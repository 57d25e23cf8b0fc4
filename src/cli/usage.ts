/** The usage text, and the error that prints it and exits with status 2. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: s3lane <command> [arguments] [options]

Commands:
  cp SRC DST          copy between a local path, s3://bucket/key and - (stdin/stdout)
      --recursive, -r     a whole directory tree, or every object under a prefix
      --concurrency N     requests in flight at once (default 16)
      --part-size SIZE    multipart part size for uploads, e.g. 16MiB (default 8MiB)
      --range A-B         download only bytes A..B (inclusive), A- or -LAST
  ls [s3://bucket[/prefix]]   list buckets, or objects and "folders" under a prefix
      --recursive, -r     every object under the prefix, not just one level
      --human             sizes as 1.5 MiB instead of bytes
  rm s3://bucket/key | s3://bucket/prefix/ --recursive
      --dryrun            print what would be deleted, delete nothing
  presign s3://bucket/key   a URL anyone can use until it expires
      --expires-in SECONDS  (default 3600, at most 604800)
      --method GET|PUT|HEAD|DELETE (default GET)
  mb s3://bucket      make a bucket
  rb s3://bucket      remove an (empty) bucket
  stat s3://bucket/key    an object's size, type, ETag and metadata
  cat s3://bucket/key     an object's bytes to stdout (--range A-B for part of it)

Global options:
  --endpoint-url URL  the S3 store (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)
  --region R          (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)
  --profile P         profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)
  --no-progress       no live progress display, even on a terminal
  --json              one JSON object per line: each item, then a summary
  --quiet, -q         print only errors
  --debug             log each request's canonical request and string to sign (secrets redacted)
  --help, -h          this text;  --version: the version

Exit status: 0 all done, 1 something failed, 2 usage error, 130 interrupted (Ctrl-C).
`;
