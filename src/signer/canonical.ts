/**
 * The canonical URI and canonical query string of a SigV4 canonical request.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
import { canonicalQueryComponent, uriEncode } from './encoding.js';
import { sortInPlace } from './sort.js';

/**
 * S3 signs the path exactly as sent (`escape` and `normalize` false): an object named
 * `a//b/../c` is a different object from `a/c`. Other services sign the path with dot segments
 * and empty segments removed (`normalize`) and percent-encoded once more (`escape`, so `%3A` is
 * signed as `%253A`).
 */
export function canonicalUri(path: string, escape: boolean, normalize: boolean): string {
  const normalized = normalize ? removeDotSegments(path) : path;
  return escape ? uriEncode(normalized, false) : normalized;
}

/** Drops `.`, `..` (with its parent) and empty segments, keeping a leading and trailing `/`. */
function removeDotSegments(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + segments.join('/') + trail;
}

/** One query parameter in canonical (decoded, then UriEncoded) form. */
export interface QueryParam {
  readonly key: string;
  readonly value: string;
}

/** Parses a raw query string (without `?`). `a` and `a=` both give the value ''. */
export function parseQuery(query: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (query === '') return params;
  for (const part of query.split('&')) {
    if (part === '') continue; // `a=1&&b=2`: an empty piece is not a parameter
    const eq = part.indexOf('=');
    params.push(
      eq === -1
        ? { key: canonicalQueryComponent(part), value: '' }
        : { key: canonicalQueryComponent(part.slice(0, eq)), value: canonicalQueryComponent(part.slice(eq + 1)) },
    );
  }
  return params;
}

// Sorted by encoded key, then by encoded value, comparing code units: the strings are ASCII here,
// so this is the byte order SigV4 asks for.
function compareParams(a: QueryParam, b: QueryParam): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return 0;
}

/** Sorts `params` in place and joins them as `k=v&k=v` (a valueless key gives `k=`). */
export function joinCanonicalQuery(params: QueryParam[]): string {
  if (params.length === 0) return '';
  sortInPlace(params, compareParams);
  let out = `${params[0]!.key}=${params[0]!.value}`;
  for (let i = 1; i < params.length; i++) out += `&${params[i]!.key}=${params[i]!.value}`;
  return out;
}

/** The canonical query string of a raw query string. */
export function canonicalQuery(query: string): string {
  return query === '' ? '' : joinCanonicalQuery(parseQuery(query));
}
