/**
 * s3lane: an S3 object client for Node.js.
 *
 * @example
 * import { S3Client } from 's3lane';
 * const s3 = new S3Client({ bucket: 'photos' });
 * await s3.put({ key: 'cat.jpg', body: bytes, contentType: 'image/jpeg' });
 * const cat = await s3.get({ key: 'cat.jpg', range: { start: 0, end: 1023 } });
 */
export { S3Client, type S3ClientOptions } from './s3/client.js';
export { S3CredentialsError, S3Error, S3NetworkError, S3XmlError } from './s3/errors.js';
export { S3ConfigError, type S3ConfigErrorCode } from './s3/config-error.js';
export type { RetryPolicy } from './s3/retry.js';
export type { CallOptions } from './s3/deadline.js';
export type { Credentials, CredentialsProvider, CredentialsInput } from './s3/credentials/index.js';
export type { BodyInput } from './s3/body.js';
export type { Metadata, ObjectInfo, ObjectHeaderOptions, Conditions } from './s3/headers.js';
export type {
  ByteRange,
  CopyInput,
  CopyOutput,
  DeleteInput,
  DeleteOutput,
  GetInput,
  GetOutput,
  HeadInput,
  ObjectRef,
  PutInput,
  ReadOptions,
  PutOutput,
} from './s3/operations/objects.js';
export type { DeleteManyInput, DeleteManyOutput, ListInput, ListedObject, ListPage } from './s3/operations/listing.js';
export type { BucketInput, BucketSummary, CreateBucketInput, ListBucketsInput } from './s3/operations/buckets.js';
export type { CannedAcl } from './s3/acl.js';
export type { ChecksumAlgorithm, ObjectChecksum } from './s3/checksum/index.js';
export type { EncryptionOptions, ServerSideEncryption, SseCustomerKey } from './s3/sse.js';
export type { PutTagsInput, TaggingInput, Tags } from './s3/operations/tagging.js';
export type { ListVersionsInput, ObjectVersion, SetVersioningInput } from './s3/operations/versioning.js';
export type { CorsRule, GetBucketCorsOutput, PutBucketCorsInput } from './s3/operations/cors.js';
export type { Logger, PayloadSigning } from './s3/pipeline.js';
export type { UploadInput, UploadOutput, UploadProgress } from './s3/transfer/upload.js';
export type { UploadFilesOptions, UploadFileResult, BatchProgress, FileProgress } from './s3/transfer/batch.js';
export type { DownloadInput, DownloadOutput, DownloadProgress } from './s3/transfer/download.js';
export type {
  CompletedPart,
  CompleteMultipartUploadInput,
  CreateMultipartUploadInput,
  MultipartOptions,
  MultipartRef,
  MultipartUploadInfo,
  PartSummary,
  UploadPartInput,
} from './s3/operations/multipart.js';
export type { PresignInput, PresignMethod } from './s3/operations/presign.js';
export type { PresignPostInput, PresignedPost, PolicyCondition } from './s3/operations/post-policy.js';
