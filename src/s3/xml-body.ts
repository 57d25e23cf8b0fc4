/**
 * The body of a control request (tagging, versioning …): XML with its Content-MD5, which S3
 * requires on several of them and every store understands.
 */
import { createHash } from 'node:crypto';
import { bytesBody, type PreparedBody } from './body.js';

export function xmlRequestBody(xml: string): { body: PreparedBody; headers: Record<string, string> } {
  const bytes = new TextEncoder().encode(xml);
  return {
    body: bytesBody(bytes),
    headers: { 'content-md5': createHash('md5').update(bytes).digest('base64'), 'content-type': 'application/xml' },
  };
}
