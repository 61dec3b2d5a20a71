import { ApiError, type ErrorCode } from '../../core/errors.js';
import { redact } from '../../core/secrets.js';
import { readEnvelope } from './envelope.js';
import { ACCEPTED_FORMATS } from './options.js';

/** Who is calling, so a hint can name the right way out (a registration link, NEMO_TOKEN…). */
export interface ErrorAudience {
  /** True when the token is an anonymous one (no NEMO_TOKEN). */
  anonymous: boolean;
  /** The anonymous user id, for the `?bind=<id>` registration link. */
  bindId?: string;
  registrationUrl: string;
  /** Upload limit, for the 4002 hint. */
  maxUploadBytes?: number;
}

export interface AnswerFacts {
  /** Which call answered (for messages and for 400, which only the token call explains). */
  endpoint: string;
  status: number;
  body: unknown;
  /** Raw Retry-After header. */
  retryAfter?: string | string[];
  /** When the answer arrived (the injected clock), for a Retry-After given as a date. */
  now: number;
}

/** Retry-After as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, (t - now) / 1000);
}

export function registrationLink(audience: ErrorAudience): string {
  const url = new URL(audience.registrationUrl);
  if (audience.bindId) url.searchParams.set('bind', audience.bindId);
  return url.toString();
}

/** The person-actionable hint for each error-table row. */
export function hintFor(code: ErrorCode, audience: ErrorAudience): string | undefined {
  switch (code) {
    case 'TOKEN_INVALID':
      return audience.anonymous
        ? 'The anonymous NemoVideo token was refused; a new one is requested automatically. If this persists, delete nemo-credentials.json in the state directory.'
        : 'NemoVideo refused NEMO_TOKEN: it is expired or wrong. Put a valid token in NEMO_TOKEN (or unset it to use a free anonymous one).';
    case 'SESSION_NOT_FOUND':
      return 'The NemoVideo editing session expired; the job starts over in a new session.';
    case 'OUT_OF_CREDITS':
      return audience.anonymous
        ? `NemoVideo credits are used up. Register to get more: ${registrationLink(audience)} (then set NEMO_TOKEN), or wait for a top-up; held jobs resume by themselves.`
        : 'NemoVideo credits are used up. Top up credits in your NemoVideo account; held jobs resume by themselves.';
    case 'UNSUPPORTED_FILE':
      return `NemoVideo accepts only these formats: ${ACCEPTED_FORMATS}. Convert the file to one of them, or route it to the local engine.`;
    case 'FILE_TOO_LARGE': {
      const limit = audience.maxUploadBytes
        ? ` (the limit is ${Math.round(audience.maxUploadBytes / (1024 * 1024))} MB)`
        : '';
      return `The file is too large for NemoVideo${limit}. Compress it or trim it into shorter parts, or route it to the local engine.`;
    }
    case 'MISSING_CLIENT_ID':
      return 'NemoVideo asked for a client id; a new one is generated automatically. If this persists, delete nemo-credentials.json in the state directory.';
    case 'EXPORT_BLOCKED':
      return 'NemoVideo blocked the export because of the account plan (not credits). Register or upgrade your NemoVideo plan to unlock export, then retry the job.';
    case 'RATE_LIMITED':
      return 'NemoVideo is limiting how often it is called; the request is retried after a pause.';
    case 'SERVER_ERROR':
      return 'NemoVideo had a temporary problem; the request is retried with increasing pauses.';
    case 'NETWORK':
      return 'Check the network connection (and NEMO_API_BASE, if set); the job is retried later.';
    default:
      return undefined;
  }
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'SERVER_ERROR', 'NETWORK']);

const ENVELOPE_CODES: Record<number, ErrorCode> = {
  1001: 'TOKEN_INVALID',
  1002: 'SESSION_NOT_FOUND',
  2001: 'OUT_OF_CREDITS',
  4001: 'UNSUPPORTED_FILE',
  4002: 'FILE_TOO_LARGE',
};

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  TOKEN_INVALID: 'NemoVideo token expired or invalid',
  SESSION_NOT_FOUND: 'NemoVideo session not found',
  OUT_OF_CREDITS: 'Out of NemoVideo credits',
  UNSUPPORTED_FILE: 'NemoVideo does not accept this file type',
  FILE_TOO_LARGE: 'The file is too large for NemoVideo',
  MISSING_CLIENT_ID: 'NemoVideo asked for a client id',
  EXPORT_BLOCKED: 'NemoVideo blocked the export (plan restriction)',
  RATE_LIMITED: 'NemoVideo rate limit reached',
  SERVER_ERROR: 'NemoVideo server error',
};

function statusCode(status: number, endpoint: string): ErrorCode | undefined {
  if (status === 401) return 'TOKEN_INVALID';
  if (status === 402) return 'EXPORT_BLOCKED';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 413) return 'FILE_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_FILE';
  if (status >= 500) return 'SERVER_ERROR';
  if (status === 400 && endpoint === 'token') return 'MISSING_CLIENT_ID';
  return undefined;
}

/**
 * Turns an answer into the ApiError it means, or `undefined` for success. A known envelope code wins
 * over the HTTP status (servers send 1001 with HTTP 200, 401, or both); then the status decides.
 */
export function mapAnswerError(answer: AnswerFacts, audience: ErrorAudience): ApiError | undefined {
  const env = readEnvelope(answer.body);
  const envelopeError = env.code !== undefined && env.code !== 0;
  const httpError = answer.status < 200 || answer.status >= 300;
  if (!envelopeError && !httpError && !env.failed) return undefined;

  const code: ErrorCode =
    (env.code !== undefined ? ENVELOPE_CODES[env.code] : undefined) ??
    (httpError ? statusCode(answer.status, answer.endpoint) : undefined) ??
    'API_ERROR';
  const serverText = env.message ? redact(env.message).slice(0, 300) : undefined;
  const base = DEFAULT_MESSAGES[code] ?? `NemoVideo ${answer.endpoint} request failed`;
  const detail = [
    httpError ? `HTTP ${answer.status}` : undefined,
    env.code !== undefined && env.code !== 0 ? `code ${env.code}` : undefined,
    serverText,
  ].filter(Boolean);
  const retryAfterSeconds =
    code === 'RATE_LIMITED' ? parseRetryAfter(answer.retryAfter, answer.now) : undefined;
  return new ApiError(code, detail.length ? `${base} (${detail.join(': ')})` : base, {
    status: answer.status,
    apiCode: env.code,
    retryAfterSeconds,
    hint: hintFor(code, audience),
    retryable: RETRYABLE.has(code),
    context: { endpoint: answer.endpoint, status: answer.status, apiCode: env.code },
  });
}

/** A failure to talk at all: a reset, a refused connection, a timeout. */
export function networkError(endpoint: string, cause: unknown, audience: ErrorAudience): ApiError {
  const c = cause as { code?: string; name?: string; message?: string } | undefined;
  const what = c?.code ?? c?.name ?? 'error';
  return new ApiError('NETWORK', `Could not reach NemoVideo (${endpoint}: ${what})`, {
    cause,
    hint: hintFor('NETWORK', audience),
    retryable: true,
    context: { endpoint, reason: what },
  });
}

/** An answer in no documented shape. */
export function protocolError(endpoint: string, what: string): ApiError {
  return new ApiError('PROTOCOL', `NemoVideo answered ${endpoint} in an unexpected shape (${what})`, {
    hint: 'The NemoVideo API may have changed; update video-inbox. The job is retried later.',
    retryable: true,
    context: { endpoint },
  });
}
