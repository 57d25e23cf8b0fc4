/**
 * Container credentials: ECS tasks (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, served at
 * 169.254.170.2) and EKS Pod Identity or any local agent (AWS_CONTAINER_CREDENTIALS_FULL_URI), with
 * the `Authorization` header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every refresh:
 * EKS rotates it) or AWS_CONTAINER_AUTHORIZATION_TOKEN. A full URI over plain HTTP must point at
 * the ECS or EKS agent or at a loopback address, as the AWS SDKs require: credentials must not
 * cross a network in clear text.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { redactText } from '../redact.js';
import { metadataCredentials, parseJsonObject, providerError, stringField } from './answers.js';
import { httpCall, METADATA_TIMEOUT_MS } from './http.js';
import { nonEmpty, type Credentials, type SourceContext, type SourceResult } from './types.js';

const ECS_HOST = '169.254.170.2';
const ALLOWED_HTTP_HOSTS: ReadonlySet<string> = new Set([ECS_HOST, '169.254.170.23', '[fd00:ec2::23]', 'localhost', '[::1]']);
const SOURCE = 'Container credentials';

function fail(message: string): never {
  providerError(`${SOURCE}: ${message}`);
}

/** True for hosts allowed over plain HTTP: the ECS/EKS agents, and loopback (127.0.0.0/8, ::1, localhost). */
export function isAllowedContainerHost(hostname: string): boolean {
  if (ALLOWED_HTTP_HOSTS.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

function endpointOf(env: NodeJS.ProcessEnv): URL | string {
  const relative = nonEmpty(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
  if (relative !== undefined) return new URL(relative.startsWith('/') ? relative : `/${relative}`, `http://${ECS_HOST}`);
  const full = nonEmpty(env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  if (full === undefined) return 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set';
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    fail(`AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') fail(`AWS_CONTAINER_CREDENTIALS_FULL_URI must be http: or https:, got ${url.protocol}`);
  if (!isAllowedContainerHost(url.hostname)) {
    fail(
      `AWS_CONTAINER_CREDENTIALS_FULL_URI over plain HTTP must point at ${ECS_HOST}, the EKS Pod Identity agent ` +
        `(169.254.170.23, fd00:ec2::23) or a loopback address, not ${url.hostname}; use https:.`,
    );
  }
  return url;
}

async function authorizationToken(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = nonEmpty(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);
  let token = nonEmpty(env.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  if (file !== undefined) {
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (e) {
      const code: unknown = e instanceof Error ? Reflect.get(e, 'code') : undefined;
      fail(`cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${file} (${typeof code === 'string' ? code : 'error'}).`);
    }
  }
  // A header value with a line break would be refused by undici with the token in its message.
  if (token !== undefined && /[\r\n]/.test(token)) fail('the authorization token contains a line break.');
  return token;
}

export async function credentialsFromContainer(ctx: SourceContext): Promise<SourceResult> {
  const url = endpointOf(ctx.env);
  if (typeof url === 'string') return { skipped: url };
  return { credentials: await fetchContainerCredentials(url, ctx) };
}

async function fetchContainerCredentials(url: URL, ctx: SourceContext): Promise<Credentials> {
  const token = await authorizationToken(ctx.env);
  const answer = await httpCall({
    source: SOURCE,
    method: 'GET',
    url,
    headers: token === undefined ? {} : { authorization: token },
    timeoutMs: ctx.timeoutMs ?? METADATA_TIMEOUT_MS,
    secrets: [token],
  });
  if (answer.status !== 200) {
    let detail = '';
    try {
      const json = parseJsonObject(SOURCE, answer.body);
      detail = [stringField(json, 'code') ?? stringField(json, 'Code'), stringField(json, 'message') ?? stringField(json, 'Message')]
        .filter((x) => x !== undefined)
        .join(': ');
    } catch {
      // Not JSON: the status says enough.
    }
    fail(redactText(`HTTP ${answer.status} from ${url.origin}${url.pathname}${detail ? ` (${detail})` : ''}.`, [token]));
  }
  return metadataCredentials(SOURCE, parseJsonObject(SOURCE, answer.body));
}
