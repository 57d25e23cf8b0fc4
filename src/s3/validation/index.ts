/**
 * The validation layer: one check per public method, at the face, before anything is signed or
 * sent. Field rules (rules.ts, fields.ts), keys (key.ts), bucket names (bucket.ts), S3's limits
 * (limits.ts), the client's options (options.ts), local paths (destination.ts), and the table of
 * every method's input (inputs.ts).
 */
export { checkInput, INPUTS, type CheckedMethod } from './inputs.js';
export { checkBucketName, type BucketUse } from './bucket.js';
export { checkClientOptions, checkEndpoint, checkRegion } from './options.js';
export { checkDestination, checkSourceFile } from './destination.js';
export { S3_LIMITS } from './limits.js';
