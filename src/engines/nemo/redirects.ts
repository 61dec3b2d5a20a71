import { ApiError } from '../../core/errors.js';

/** Answers that send a GET on to another address. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Hops followed before giving up: a signed storage URL or a CDN edge takes one or two. */
export const MAX_REDIRECTS = 5;

/** One request of a download: where it goes and what it carries. */
export interface Hop {
  url: string;
  headers: Record<string, string>;
}

/**
 * Where a download goes after an answer of `status` with `location`, or undefined when the answer
 * is not a redirect (a 3xx without a Location is an error answer like any other). `followed` is the
 * number of redirects already taken. The Authorization header goes on only to the same origin, so
 * a CDN or a storage service never sees the token, and an https address never leads to plain http.
 * Errors name the host only: a signed address's query is a credential.
 */
export function nextHop(
  from: Hop,
  status: number,
  location: string | string[] | undefined,
  followed: number,
): Hop | undefined {
  if (!REDIRECTS.has(status) || typeof location !== 'string' || location === '') return undefined;
  const here = new URL(from.url);
  if (followed >= MAX_REDIRECTS) throw refused(`was redirected more than ${MAX_REDIRECTS} times`, here);
  let to: URL;
  try {
    to = new URL(location, here);
  } catch {
    throw refused('was redirected to something that is not an address', here);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:')
    throw refused(`was redirected to a ${to.protocol} address, which is not fetched`, here);
  if (here.protocol === 'https:' && to.protocol === 'http:')
    throw refused(
      'was redirected from https to plain http (refused: the video would travel unencrypted)',
      here,
    );
  return { url: to.href, headers: to.origin === here.origin ? from.headers : withoutAuth(from.headers) };
}

function withoutAuth(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
  );
}

function refused(what: string, here: URL): ApiError {
  return new ApiError('PROTOCOL', `The download from ${here.host} ${what}`, {
    hint: 'The render’s download address sends video-inbox somewhere it does not follow; the job is retried later.',
    retryable: true,
    context: { endpoint: 'download', host: here.host },
  });
}
