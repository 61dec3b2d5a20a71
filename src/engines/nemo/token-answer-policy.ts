import { ApiError } from '../../core/errors.js';

/** Failures that happen before a request reaches the server: nothing can have been issued. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whether a token request that failed with `err` may still have been served: the server answered
 * nothing we could read (a reset, a timeout, a body cut off, a stop mid-request), so it may have
 * issued a token we never saw. With one token per client id per 7 days, that client id is then spent.
 * An answer we read (any status, any envelope code) or a connection never made means it was not.
 */
export function tokenAnswerMayBeLost(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  if (err.code !== 'NETWORK') return false;
  const reason = err.context.reason;
  return !(typeof reason === 'string' && NEVER_SENT.has(reason));
}
