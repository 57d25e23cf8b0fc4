/**
 * S3Client: configuration in, one RequestPipeline, and a thin method per operation. Each method
 * only fills in the default bucket and hands over to the module that owns the operation.
 */
import type { Dispatcher } from 'undici';
import {
  bucketExists,
  bucketRegion,
  createBucket,
  deleteBucket,
  listBuckets,
  type BucketInput,
  type BucketSummary,
  type ListBucketsInput,
} from './buckets.js';
import { configuredEndpoint, CredentialsCache, defaultCredentialsProvider, resolveRegion, type CredentialsInput } from './credentials/index.js';
import { interpretRegion, parseEndpoint, regionFromEndpoint, S3ConfigError } from './endpoint.js';
import type { ObjectInfo } from './headers.js';
import {
  deleteObjects,
  listObjects,
  listPages,
  type DeleteManyInput,
  type DeleteManyOutput,
  type ListedObject,
  type ListInput,
  type ListPage,
} from './listing.js';
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
} from './objects.js';
import { uploadFiles, type UploadFileResult, type UploadFilesOptions } from './batch.js';
import { download, type DownloadInput, type DownloadOutput } from './download.js';
import {
  abortMultipartUploadFrom,
  completeMultipartUploadFrom,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPartFrom,
  type CompletedPart,
  type CompleteMultipartUploadInput,
  type CreateMultipartUploadInput,
  type MultipartRef,
  type MultipartUploadInfo,
  type PartSummary,
  type UploadPartInput,
} from './multipart.js';
import { upload, type UploadInput, type UploadOutput } from './upload.js';
import { presignPost, type PresignedPost, type PresignPostInput } from './post-policy.js';
import { presignUrl, type PresignInput } from './presign.js';
import { RequestPipeline, type Logger, type PayloadSigning } from './pipeline.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { createDispatcher } from './transport.js';

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
  /** An undici dispatcher to send through instead of the client's own Agent. */
  dispatcher?: Dispatcher;
  /** Receives each request's canonical request and string to sign (secrets redacted). DEBUG=s3lane logs to stderr. */
  logger?: Logger;
}

const stderrLogger: Logger = { debug: (message) => process.stderr.write(message + '\n') };

function debugEnabled(env: NodeJS.ProcessEnv): boolean {
  return (env['DEBUG'] ?? '').split(/[\s,]+/).some((name) => name === 's3lane' || name === 's3lane:*' || name === '*');
}

function retryPolicyOf(option: S3ClientOptions['retries']): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...(typeof option === 'number' ? { retries: option } : option) };
  for (const [name, value] of Object.entries(policy)) {
    if (!(Number.isInteger(value) && value >= 0)) {
      throw new S3ConfigError('InvalidRetries', `retries.${name} must be a non-negative integer, got ${String(value)}.`);
    }
  }
  return policy;
}

export class S3Client {
  readonly #pipeline: Promise<RequestPipeline> | RequestPipeline;
  readonly #defaultBucket: string | undefined;
  readonly #ownsDispatcher: boolean;
  readonly #dispatcher: Dispatcher;

  constructor(options: S3ClientOptions = {}) {
    const env = process.env;
    // Everything that can reject the options runs first, synchronously, before any resource exists.
    const retry = retryPolicyOf(options.retries);
    const profile = options.profile === undefined ? {} : { profile: options.profile };
    const credentials = new CredentialsCache(options.credentials ?? defaultCredentialsProvider(profile));
    const endpoint = options.endpoint || configuredEndpoint('s3', { ...profile, env });
    if (endpoint !== undefined) parseEndpoint(endpoint);
    // An endpoint that names its region (s3.eu-west-1.amazonaws.com; R2's 'auto') outranks the
    // environment's default region, which may be meant for other services.
    const region =
      options.region ?? (endpoint && regionFromEndpoint(endpoint)) ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
    this.#defaultBucket = options.bucket;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = createDispatcher(options);
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
        dispatcher: this.#dispatcher,
        logger: options.logger ?? (debugEnabled(env) ? stderrLogger : undefined),
      });
    };
    if (region) {
      this.#pipeline = build(region);
    } else {
      // Only the profile's region needs file I/O: read it on first use, keeping the constructor
      // synchronous. Each call awaits (and so sees) a failure; unused, it must not crash the process.
      const pending = resolveRegion({ ...profile, env }).then(build);
      pending.catch(() => undefined);
      this.#pipeline = pending;
    }
  }

  #bucketOf(input: { bucket?: string | undefined }): string {
    const bucket = input.bucket ?? this.#defaultBucket;
    if (bucket === undefined || bucket === '') {
      throw new S3ConfigError('MissingBucket', 'No bucket: pass `bucket` to the call, or set a default with new S3Client({ bucket }).');
    }
    return bucket;
  }

  async put(input: PutInput): Promise<PutOutput> {
    return putObject(await this.#pipeline, this.#bucketOf(input), input);
  }

  async get(input: GetInput): Promise<GetOutput> {
    return getObject(await this.#pipeline, this.#bucketOf(input), input);
  }

  async head(input: HeadInput): Promise<ObjectInfo> {
    return headObject(await this.#pipeline, this.#bucketOf(input), input);
  }

  async exists(input: HeadInput): Promise<boolean> {
    return objectExists(await this.#pipeline, this.#bucketOf(input), input);
  }

  async delete(input: DeleteInput): Promise<DeleteOutput> {
    return deleteObject(await this.#pipeline, this.#bucketOf(input), input);
  }

  async deleteMany(input: DeleteManyInput): Promise<DeleteManyOutput> {
    return deleteObjects(await this.#pipeline, this.#bucketOf(input), input);
  }

  async *list(input: ListInput = {}): AsyncGenerator<ListedObject> {
    yield* listObjects(await this.#pipeline, this.#bucketOf(input), input);
  }

  async *listPages(input: ListInput = {}): AsyncGenerator<ListPage> {
    yield* listPages(await this.#pipeline, this.#bucketOf(input), input);
  }

  async copy(input: CopyInput): Promise<CopyOutput> {
    return copyObject(await this.#pipeline, this.#bucketOf(input.from), this.#bucketOf(input.to), input);
  }

  async createBucket(input: BucketInput = {}): Promise<void> {
    return createBucket(await this.#pipeline, this.#bucketOf(input), input);
  }

  async deleteBucket(input: BucketInput = {}): Promise<void> {
    return deleteBucket(await this.#pipeline, this.#bucketOf(input), input);
  }

  async bucketExists(input: BucketInput = {}): Promise<boolean> {
    return bucketExists(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** Every bucket the credentials own (all pages). @example const names = (await s3.listBuckets()).map((b) => b.name); */
  async listBuckets(input: ListBucketsInput = {}): Promise<BucketSummary[]> {
    return listBuckets(await this.#pipeline, input);
  }

  /** The region the bucket lives in, e.g. 'eu-west-1'. */
  async bucketRegion(input: BucketInput = {}): Promise<string> {
    return bucketRegion(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** One object of any size: a single PUT below the part size, a parallel multipart upload above it. */
  async upload(input: UploadInput): Promise<UploadOutput> {
    return upload(await this.#pipeline, this.#bucketOf(input), input);
  }

  /**
   * Many files (object key -> local path) through one pool of `concurrency` connections. Resolves
   * with one result per file, in input order; it never rejects because a file failed.
   */
  async uploadFiles(
    files: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
    options: UploadFilesOptions = {},
  ): Promise<UploadFileResult[]> {
    return uploadFiles(await this.#pipeline, this.#bucketOf(options), files, options);
  }

  /** Streams an object (or a range) to a file, replacing it only once complete. */
  async download(input: DownloadInput): Promise<DownloadOutput> {
    return download(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** Multipart uploads in progress (started and neither completed nor aborted). */
  async listMultipartUploads(input: { bucket?: string; prefix?: string; signal?: AbortSignal } = {}): Promise<MultipartUploadInfo[]> {
    return listMultipartUploads(await this.#pipeline, this.#bucketOf(input), input.prefix, input.signal);
  }

  /**
   * A presigned URL for GET, PUT, HEAD or DELETE of one object.
   * @example const url = await s3.presign({ key: 'report.pdf', expiresIn: 600 });
   */
  async presign(input: PresignInput): Promise<string> {
    const pipeline = await this.#pipeline;
    const credentials = pipeline.settings.credentials.peek() ?? (await pipeline.settings.credentials.get());
    return presignUrl(pipeline, credentials, this.#bucketOf(input), input);
  }

  /**
   * presign() without a Promise, for static credentials (or provider credentials already fetched
   * and fresh) and a known region; throws S3ConfigError 'CredentialsNotReady' otherwise.
   */
  presignSync(input: PresignInput): string {
    const pipeline = this.#pipeline;
    const credentials = pipeline instanceof RequestPipeline ? pipeline.settings.credentials.peek() : undefined;
    if (!(pipeline instanceof RequestPipeline) || credentials === undefined) {
      throw new S3ConfigError(
        'CredentialsNotReady',
        'presignSync() needs static credentials (or fetched, unexpired ones) and a region; use `await s3.presign()`.',
      );
    }
    return presignUrl(pipeline, credentials, this.#bucketOf(input), input);
  }

  /** A signed POST policy and the form fields for a browser upload straight to the bucket. */
  async presignPost(input: PresignPostInput): Promise<PresignedPost> {
    const pipeline = await this.#pipeline;
    const credentials = pipeline.settings.credentials.peek() ?? (await pipeline.settings.credentials.get());
    return presignPost(pipeline, credentials, this.#bucketOf(input), input);
  }

  /**
   * Starts a multipart upload whose parts the caller sends (uploadPart, or presigned part URLs).
   * upload() does all of this for you; these calls are for services that move the bytes themselves.
   * @example
   * const { uploadId } = await s3.createMultipartUpload({ key: 'big.bin' });
   * const url = await s3.presign({ method: 'PUT', key: 'big.bin', uploadId, partNumber: 1 });
   */
  async createMultipartUpload(input: CreateMultipartUploadInput): Promise<{ bucket: string; key: string; uploadId: string }> {
    const target = await createMultipartUpload(await this.#pipeline, this.#bucketOf(input), input);
    return { ...target };
  }

  /** Sends one part; keep its `etag` for completeMultipartUpload. */
  async uploadPart(input: UploadPartInput): Promise<CompletedPart> {
    return uploadPartFrom(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** The parts uploaded so far (all pages), e.g. to resume an upload or complete one a browser sent. */
  async listParts(input: MultipartRef): Promise<PartSummary[]> {
    return listParts(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** Assembles the object from its parts. */
  async completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<{ etag: string; versionId: string | undefined }> {
    return completeMultipartUploadFrom(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** Aborts a multipart upload (e.g. one listed by listMultipartUploads), freeing its parts. */
  async abortMultipartUpload(input: MultipartRef): Promise<void> {
    return abortMultipartUploadFrom(await this.#pipeline, this.#bucketOf(input), input);
  }

  /** Closes the client's connections (a dispatcher passed in options is left open: it is the caller's). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
