/**
 * S3Client: configuration in, one RequestPipeline, and a thin method per operation. Each method
 * only fills in the default bucket and hands over to the module that owns the operation. The
 * transfers (upload, uploadFiles, download, parallel get), the bucket, listing and versioning
 * calls, POST policies and the default credential chain are imported on first use:
 * `import('s3lane')` and a put or a get do not pay for loading them.
 */
import type { Dispatcher } from 'undici';
import type {
  BucketInput,
  BucketSummary,
  CreateBucketInput,
  ListBucketsInput,
} from './operations/buckets.js';
import { deleteObjectTags, getObjectTags, putObjectTags, type PutTagsInput, type TaggingInput, type Tags } from './operations/tagging.js';
import type { ListVersionsInput, ObjectVersion, SetVersioningInput } from './operations/versioning.js';
import { CredentialsCache } from './credentials/cache.js';
import { deferredDefaultChain } from './credentials/deferred-chain.js';
import { configuredEndpoint } from './credentials/endpoint-config.js';
import { resolveRegion } from './credentials/shared-files.js';
import type { CredentialsInput } from './credentials/types.js';
import { interpretRegion, regionFromEndpoint, S3ConfigError } from './endpoint.js';
import { deleteBucketCors, getBucketCors, putBucketCors, type GetBucketCorsOutput, type PutBucketCorsInput } from './operations/cors.js';
import type { ObjectInfo } from './headers.js';
import type { DeleteManyInput, DeleteManyOutput, ListedObject, ListInput, ListPage } from './operations/listing.js';
import {
  copyObject,
  deleteObject,
  getObject,
  headObject,
  objectExists,
  putObject,
  type CopyInput,
  type CopyOutput,
  type DeleteInput,
  type DeleteOutput,
  type GetInput,
  type GetOutput,
  type HeadInput,
  type PutInput,
  type PutOutput,
} from './operations/objects.js';
import type { UploadFileResult, UploadFilesOptions } from './transfer/batch.js';
import type { DownloadInput, DownloadOutput } from './transfer/download.js';
import {
  abortMultipartUploadFrom,
  completeMultipartUploadFrom,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  sweepLostCreates,
  uploadPartFrom,
  type CompletedPart,
  type CompleteMultipartUploadInput,
  type CreateMultipartUploadInput,
  type MultipartRef,
  type MultipartUploadInfo,
  type PartSummary,
  type UploadPartInput,
} from './operations/multipart.js';
import type { UploadInput, UploadOutput } from './transfer/upload.js';
import type { PresignedPost, PresignPostInput } from './operations/post-policy.js';
import { presignUrl, type PresignInput } from './operations/presign.js';
import { RequestPipeline, type Logger, type PayloadSigning } from './pipeline.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { Transport } from './transport.js';
import {
  checkBucketName,
  checkClientOptions,
  checkDestination,
  checkEndpoint,
  checkInput,
  checkRegion,
  checkSourceFile,
  type BucketUse,
} from './validation/index.js';
import { callSignal, type CallOptions } from './deadline.js';

export interface S3ClientOptions {
  /**
   * The store's URL, e.g. `http://127.0.0.1:9000` (MinIO), `https://<account>.r2.cloudflarestorage.com`.
   * Default, as in the AWS CLI: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `services`
   * section (`s3 = / endpoint_url = …`), the profile's `endpoint_url` (none of them when
   * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else AWS's regional endpoint for the bucket.
   */
  endpoint?: string;
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else 'us-east-1'. */
  region?: string;
  /**
   * Profile of ~/.aws/config and ~/.aws/credentials for credentials, region and endpoint, like
   * AWS_PROFILE (default: AWS_PROFILE, else "default"). Given here, it also skips the environment's keys.
   */
  profile?: string;
  /**
   * Static keys, or an async provider (refreshed before `expiration`). Default: the AWS SDKs' chain:
   * environment, the profile (keys, credential_process, assume-role, web identity, SSO), web
   * identity from the environment, container credentials (ECS, EKS Pod Identity), EC2 instance metadata.
   */
  credentials?: CredentialsInput;
  /** Bucket used by calls that name none. */
  bucket?: string;
  /** true: always path style; false: virtual-hosted wherever the name allows; default: automatic. */
  forcePathStyle?: boolean;
  payloadSigning?: PayloadSigning;
  /** Connections per origin (default 64). */
  maxConnections?: number;
  /**
   * Retries after the first attempt for retryable failures (default 3), or the whole policy:
   * `{ retries: 5, baseDelayMs: 100, maxDelayMs: 20_000 }` (exponential backoff, full jitter).
   */
  retries?: number | Partial<RetryPolicy>;
  /** Header and body-idle timeout per request, ms (default 60 000). */
  timeoutMs?: number;
  /**
   * Time for a whole call, ms, retries and backoff included (default: none, only `retries` and
   * `timeoutMs` bound it). Each call may pass its own `deadlineMs`; a call's `signal` from
   * `AbortSignal.timeout()` works the same way. Either ends with S3NetworkError 'DeadlineExceeded'.
   */
  deadlineMs?: number;
  /** An undici dispatcher to send through instead of the client's own Agent. */
  dispatcher?: Dispatcher;
  /** Receives each request's canonical request and string to sign (secrets redacted). DEBUG=s3lane logs to stderr. */
  logger?: Logger;
}

/** A presigned GET or HEAD only reads; PUT and DELETE write. */
function presignUse(input: PresignInput): BucketUse {
  return input.method === undefined || input.method === 'GET' || input.method === 'HEAD' ? 'read' : 'write';
}

// Operation modules a put or a get never needs, imported on their first call.
const bucketCalls = (): Promise<typeof import('./operations/buckets.js')> => import('./operations/buckets.js');
const listingCalls = (): Promise<typeof import('./operations/listing.js')> => import('./operations/listing.js');
const versioningCalls = (): Promise<typeof import('./operations/versioning.js')> => import('./operations/versioning.js');

const stderrLogger: Logger = { debug: (message) => process.stderr.write(message + '\n') };

function debugEnabled(env: NodeJS.ProcessEnv): boolean {
  return (env['DEBUG'] ?? '').split(/[\s,]+/).some((name) => name === 's3lane' || name === 's3lane:*' || name === '*');
}

/** The options were checked already (checkClientOptions): only the defaults are filled in here. */
function retryPolicyOf(option: S3ClientOptions['retries']): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...(typeof option === 'number' ? { retries: option } : option) };
}

/** An environment variable, with '' read as unset (an `export AWS_REGION=` line means none). */
function fromEnv(env: NodeJS.ProcessEnv, ...names: string[]): { value: string; source: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, source: ` (from ${name})` };
  }
  return undefined;
}

export class S3Client {
  readonly #pipeline: Promise<RequestPipeline> | RequestPipeline;
  readonly #defaultBucket: string | undefined;
  readonly #transport: Transport;
  readonly #deadlineMs: number | undefined;

  constructor(options: S3ClientOptions = {}) {
    const env = process.env;
    // Everything that can reject the options runs first, synchronously, before any resource exists.
    checkClientOptions(options);
    const retry = retryPolicyOf(options.retries);
    this.#deadlineMs = options.deadlineMs;
    const shared = { env, profile: options.profile };
    const credentials = new CredentialsCache(options.credentials ?? deferredDefaultChain(shared));
    // Reads ~/.aws/config synchronously (a small file, once per client) unless the endpoint is given.
    const configured = options.endpoint === undefined ? configuredEndpoint('s3', shared) : undefined;
    if (configured !== undefined) checkEndpoint(configured, 'endpoint', ' (from AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the AWS config profile)');
    const endpoint = options.endpoint ?? configured;
    // An endpoint that names its region (s3.eu-west-1.amazonaws.com; R2's 'auto') outranks the
    // environment's default region, which may be meant for other services.
    const envRegion = fromEnv(env, 'AWS_REGION', 'AWS_DEFAULT_REGION');
    if (options.region === undefined && envRegion && !(endpoint && regionFromEndpoint(endpoint))) {
      checkRegion(envRegion.value, 'region', envRegion.source);
    }
    const region = options.region ?? (endpoint && regionFromEndpoint(endpoint)) ?? envRegion?.value;
    this.#defaultBucket = options.bucket;
    this.#transport = new Transport(options);
    const build = (resolvedRegion: string): RequestPipeline => {
      // Pseudo-regions (aws-global, s3-external-1, fips-…) sign for a real region at their endpoint.
      const { signingRegion, globalEndpoint, fips } = interpretRegion(resolvedRegion);
      return new RequestPipeline({
        endpoint: endpoint ?? globalEndpoint,
        region: signingRegion,
        fips,
        forcePathStyle: options.forcePathStyle,
        credentials,
        payloadSigning: options.payloadSigning ?? 'auto',
        retry,
        transport: this.#transport,
        logger: options.logger ?? (debugEnabled(env) ? stderrLogger : undefined),
      });
    };
    if (region) {
      this.#pipeline = build(region);
    } else {
      // Only the profile's region needs file I/O: read it on first use, keeping the constructor
      // synchronous. Each call awaits (and so sees) a failure; unused, it must not crash the process.
      const pending = resolveRegion(shared).then((profileRegion) => {
        checkRegion(profileRegion, 'region', ' (from the AWS config profile)');
        return build(profileRegion);
      });
      pending.catch(() => undefined);
      this.#pipeline = pending;
    }
  }

  /** The input with its signal bounded by the call's deadline (its own deadlineMs, else the client's). */
  #timed<T extends CallOptions>(input: T): T {
    const deadlineMs = input.deadlineMs ?? this.#deadlineMs;
    return deadlineMs === undefined ? input : { ...input, signal: callSignal(input.signal, deadlineMs) };
  }

  /**
   * The bucket a call addresses (its own, else the client's default), its name checked for what
   * the call does with it. Called once the region is known: legacy names are readable only in us-east-1.
   */
  #bucketOf(pipeline: RequestPipeline, input: { bucket?: string | undefined }, use: BucketUse, field = 'bucket'): string {
    const bucket = input.bucket ?? this.#defaultBucket;
    if (bucket === undefined) {
      throw new S3ConfigError('MissingBucket', `${field}: no bucket: pass \`bucket\` to the call, or set a default with new S3Client({ bucket }).`, {
        field,
      });
    }
    checkBucketName(bucket, field, use, pipeline.settings.region === 'us-east-1');
    return bucket;
  }

  async put(input: PutInput): Promise<PutOutput> {
    checkInput('put', input);
    const pipeline = await this.#pipeline;
    return putObject(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  async get(input: GetInput): Promise<GetOutput> {
    checkInput('get', input);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, input, 'read');
    if (input.concurrency === undefined && input.partSize === undefined) return getObject(pipeline, bucket, this.#timed(input));
    const { getInParallel } = await import('./transfer/ranged-download.js');
    return getInParallel(pipeline, bucket, this.#timed(input));
  }

  async head(input: HeadInput): Promise<ObjectInfo> {
    checkInput('head', input);
    const pipeline = await this.#pipeline;
    return headObject(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  async exists(input: HeadInput): Promise<boolean> {
    checkInput('exists', input);
    const pipeline = await this.#pipeline;
    return objectExists(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  async delete(input: DeleteInput): Promise<DeleteOutput> {
    checkInput('delete', input);
    const pipeline = await this.#pipeline;
    return deleteObject(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  async deleteMany(input: DeleteManyInput): Promise<DeleteManyOutput> {
    checkInput('deleteMany', input);
    const pipeline = await this.#pipeline;
    // Read once here: an iterator would be used up by the check.
    return (await listingCalls()).deleteObjects(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed({ ...input, keys: [...input.keys] }));
  }

  async *list(input: ListInput = {}): AsyncGenerator<ListedObject> {
    checkInput('list', input);
    const pipeline = await this.#pipeline;
    yield* (await listingCalls()).listObjects(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  async *listPages(input: ListInput = {}): AsyncGenerator<ListPage> {
    checkInput('listPages', input);
    const pipeline = await this.#pipeline;
    yield* (await listingCalls()).listPages(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  async copy(input: CopyInput): Promise<CopyOutput> {
    checkInput('copy', input);
    const pipeline = await this.#pipeline;
    const from = this.#bucketOf(pipeline, input.from, 'read', 'from.bucket');
    return copyObject(pipeline, from, this.#bucketOf(pipeline, input.to, 'write', 'to.bucket'), this.#timed(input));
  }

  /** @example await s3.createBucket({ bucket: 'logs', region: 'eu-west-1', acl: 'private' }); */
  async createBucket(input: CreateBucketInput = {}): Promise<void> {
    checkInput('createBucket', input);
    const pipeline = await this.#pipeline;
    return (await bucketCalls()).createBucket(pipeline, this.#bucketOf(pipeline, input, 'create'), this.#timed(input));
  }

  async deleteBucket(input: BucketInput = {}): Promise<void> {
    checkInput('deleteBucket', input);
    const pipeline = await this.#pipeline;
    return (await bucketCalls()).deleteBucket(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  async bucketExists(input: BucketInput = {}): Promise<boolean> {
    checkInput('bucketExists', input);
    const pipeline = await this.#pipeline;
    return (await bucketCalls()).bucketExists(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /** Every bucket the credentials own (all pages). @example const names = (await s3.listBuckets()).map((b) => b.name); */
  async listBuckets(input: ListBucketsInput = {}): Promise<BucketSummary[]> {
    checkInput('listBuckets', input);
    return (await bucketCalls()).listBuckets(await this.#pipeline, this.#timed(input));
  }

  /** Turns versioning on (`enabled: true`) or suspends it. */
  async setBucketVersioning(input: SetVersioningInput): Promise<void> {
    checkInput('setBucketVersioning', input);
    const pipeline = await this.#pipeline;
    return (await versioningCalls()).setBucketVersioning(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** 'Enabled', 'Suspended', or undefined if versioning was never turned on. */
  async getBucketVersioning(input: BucketInput = {}): Promise<'Enabled' | 'Suspended' | undefined> {
    checkInput('getBucketVersioning', input);
    const pipeline = await this.#pipeline;
    return (await versioningCalls()).getBucketVersioning(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /**
   * Every version and delete marker (all pages), each key's newest first.
   * @example for await (const v of s3.listVersions({ prefix: 'docs/' })) console.log(v.key, v.versionId, v.deleteMarker);
   */
  async *listVersions(input: ListVersionsInput = {}): AsyncGenerator<ObjectVersion> {
    checkInput('listVersions', input);
    const pipeline = await this.#pipeline;
    yield* (await versioningCalls()).listVersions(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /** The object's tags (of `versionId`, else the current version). */
  async getObjectTags(input: TaggingInput): Promise<Tags> {
    checkInput('getObjectTags', input);
    const pipeline = await this.#pipeline;
    return getObjectTags(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /** Replaces all of the object's tags. */
  async putObjectTags(input: PutTagsInput): Promise<{ versionId: string | undefined }> {
    checkInput('putObjectTags', input);
    const pipeline = await this.#pipeline;
    return putObjectTags(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  async deleteObjectTags(input: TaggingInput): Promise<void> {
    checkInput('deleteObjectTags', input);
    const pipeline = await this.#pipeline;
    return deleteObjectTags(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** The region the bucket lives in, e.g. 'eu-west-1'. */
  async bucketRegion(input: BucketInput = {}): Promise<string> {
    checkInput('bucketRegion', input);
    const pipeline = await this.#pipeline;
    return (await bucketCalls()).bucketRegion(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /**
   * Sets the bucket's CORS rules (replacing any), e.g. to let a web page upload straight to it.
   * @example
   * await s3.putBucketCors({ rules: [{ allowedOrigins: ['https://app.example.com'], allowedMethods: ['PUT', 'POST'],
   *   allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 600 }] });
   */
  async putBucketCors(input: PutBucketCorsInput): Promise<void> {
    checkInput('putBucketCors', input);
    const pipeline = await this.#pipeline;
    return putBucketCors(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** The bucket's CORS rules; `{ rules: [] }` when it has none. */
  async getBucketCors(input: BucketInput = {}): Promise<GetBucketCorsOutput> {
    checkInput('getBucketCors', input);
    const pipeline = await this.#pipeline;
    return getBucketCors(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /** Removes the bucket's CORS rules (no error when it has none). */
  async deleteBucketCors(input: BucketInput = {}): Promise<void> {
    checkInput('deleteBucketCors', input);
    const pipeline = await this.#pipeline;
    return deleteBucketCors(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** One object of any size: a single PUT below the part size, a parallel multipart upload above it. */
  async upload(input: UploadInput): Promise<UploadOutput> {
    checkInput('upload', input);
    if (input.file !== undefined) await checkSourceFile(input.file);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, input, 'write');
    const { upload } = await import('./transfer/upload.js');
    return upload(pipeline, bucket, this.#timed(input));
  }

  /**
   * Many files (object key -> local path) through one pool of `concurrency` connections. Resolves
   * with one result per file, in input order; it never rejects because a file failed.
   */
  async uploadFiles(
    files: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
    options: UploadFilesOptions = {},
  ): Promise<UploadFileResult[]> {
    checkInput('uploadFilesFiles', files, 'files');
    checkInput('uploadFiles', options);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, options, 'write');
    const { uploadFiles } = await import('./transfer/batch.js');
    return uploadFiles(pipeline, bucket, files, this.#timed(options));
  }

  /** Streams an object (or a range) to a file, replacing it only once complete. */
  async download(input: DownloadInput): Promise<DownloadOutput> {
    checkInput('download', input);
    await checkDestination(input.file);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, input, 'read');
    const { download } = await import('./transfer/download.js');
    return download(pipeline, bucket, this.#timed(input));
  }

  /** Multipart uploads in progress (started and neither completed nor aborted). */
  async listMultipartUploads(input: { bucket?: string; prefix?: string } & CallOptions = {}): Promise<MultipartUploadInfo[]> {
    checkInput('listMultipartUploads', input);
    const pipeline = await this.#pipeline;
    return listMultipartUploads(pipeline, this.#bucketOf(pipeline, input, 'read'), input.prefix, this.#timed(input).signal);
  }

  /**
   * A presigned URL for GET, PUT, HEAD or DELETE of one object.
   * @example const url = await s3.presign({ key: 'report.pdf', expiresIn: 600 });
   */
  async presign(input: PresignInput): Promise<string> {
    checkInput('presign', input);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, input, presignUse(input));
    const credentials = pipeline.settings.credentials.peek() ?? (await pipeline.settings.credentials.get());
    return presignUrl(pipeline, credentials, bucket, input);
  }

  /**
   * presign() without a Promise, for static credentials (or provider credentials already fetched
   * and fresh) and a known region; throws S3ConfigError 'CredentialsNotReady' otherwise.
   */
  presignSync(input: PresignInput): string {
    checkInput('presign', input);
    const pipeline = this.#pipeline;
    const credentials = pipeline instanceof RequestPipeline ? pipeline.settings.credentials.peek() : undefined;
    if (!(pipeline instanceof RequestPipeline) || credentials === undefined) {
      throw new S3ConfigError(
        'CredentialsNotReady',
        'presignSync() needs static credentials (or fetched, unexpired ones) and a region; use `await s3.presign()`.',
      );
    }
    return presignUrl(pipeline, credentials, this.#bucketOf(pipeline, input, presignUse(input)), input);
  }

  /** A signed POST policy and the form fields for a browser upload straight to the bucket. */
  async presignPost(input: PresignPostInput): Promise<PresignedPost> {
    checkInput('presignPost', input);
    const pipeline = await this.#pipeline;
    const bucket = this.#bucketOf(pipeline, input, 'write');
    const credentials = pipeline.settings.credentials.peek() ?? (await pipeline.settings.credentials.get());
    const { presignPost } = await import('./operations/post-policy.js');
    return presignPost(pipeline, credentials, bucket, input);
  }

  /**
   * Starts a multipart upload whose parts the caller sends (uploadPart, or presigned part URLs).
   * upload() does all of this for you; these calls are for services that move the bytes themselves.
   * @example
   * const { uploadId } = await s3.createMultipartUpload({ key: 'big.bin' });
   * const url = await s3.presign({ method: 'PUT', key: 'big.bin', uploadId, partNumber: 1 });
   */
  async createMultipartUpload(input: CreateMultipartUploadInput): Promise<{ bucket: string; key: string; uploadId: string }> {
    checkInput('createMultipartUpload', input);
    const pipeline = await this.#pipeline;
    const timed = this.#timed(input);
    const target = await createMultipartUpload(pipeline, this.#bucketOf(pipeline, input, 'write'), timed);
    // An attempt whose answer was lost may have created another upload: abort it, keep this one.
    if (target.mayHaveOrphans) await pipeline.cleanUp((cleanUpSignal) => sweepLostCreates(pipeline, target, cleanUpSignal), timed.signal);
    // Only the upload's address: the target also holds the SSE-C key and the attempts' times.
    return { bucket: target.bucket, key: target.key, uploadId: target.uploadId };
  }

  /** Sends one part; keep its `etag` for completeMultipartUpload. */
  async uploadPart(input: UploadPartInput): Promise<CompletedPart> {
    checkInput('uploadPart', input);
    const pipeline = await this.#pipeline;
    return uploadPartFrom(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** The parts uploaded so far (all pages), e.g. to resume an upload or complete one a browser sent. */
  async listParts(input: MultipartRef): Promise<PartSummary[]> {
    checkInput('listParts', input);
    const pipeline = await this.#pipeline;
    return listParts(pipeline, this.#bucketOf(pipeline, input, 'read'), this.#timed(input));
  }

  /** Assembles the object from its parts. */
  async completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<{ etag: string; versionId: string | undefined }> {
    checkInput('completeMultipartUpload', input);
    const pipeline = await this.#pipeline;
    return completeMultipartUploadFrom(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /** Aborts a multipart upload (e.g. one listed by listMultipartUploads), freeing its parts. */
  async abortMultipartUpload(input: MultipartRef): Promise<void> {
    checkInput('abortMultipartUpload', input);
    const pipeline = await this.#pipeline;
    return abortMultipartUploadFrom(pipeline, this.#bucketOf(pipeline, input, 'write'), this.#timed(input));
  }

  /**
   * Closes the client's connections (a dispatcher passed in options is left open: it is the
   * caller's), once the clean-up of calls that ended at their deadline has finished.
   */
  async close(): Promise<void> {
    const pipeline = await Promise.resolve(this.#pipeline).catch(() => undefined);
    await pipeline?.settled();
    await this.#transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
