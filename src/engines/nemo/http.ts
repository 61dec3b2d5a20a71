import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import { ApiError, isAbortError } from '../../core/errors.js';
import { mapAnswerError, networkError, protocolError, type ErrorAudience } from './error-map.js';
import { retryDecision } from './retry-policy.js';
import type { RetrySettings } from './options.js';
import type { TokenProvider } from './token-provider.js';
import type { HttpCall, JsonAnswer, StreamAnswer } from './http-types.js';
import { parseBody, readText, requestBody, watchdog, type Watchdog } from './http-request-parts.js';
import { bulkRequest } from './bulk-transport.js';

export type { HttpCall, JsonAnswer, StreamAnswer, StreamBody } from './http-types.js';

/** Bytes of a streamed answer's body buffered before the socket is paused. */
const STREAM_ANSWER_BUFFER = 1024 * 1024;

/** An answer's status, headers and unread body, whichever transport carried it. */
interface Answered {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The address that answered, when a redirect may have led elsewhere (the bulk transfers). */
  url?: string;
}

export interface HttpDeps {
  baseUrl: string;
  version: string;
  platform: string;
  defaultSkill: string;
  requestTimeoutMs: number;
  retry: RetrySettings;
  tokens: TokenProvider;
  audience: () => ErrorAudience;
  clock: Clock;
  log: Logger;
  random: () => number;
  dispatcher?: Dispatcher;
  /** Awaited before each request goes out (a shared call rate); retries wait for it too. */
  beforeCall?: (signal?: AbortSignal) => Promise<void>;
}

/**
 * The one place requests are sent: attribution headers, the token, timeouts, and the error table's
 * recoveries that need no knowledge of the job (1001 → new token once; 429, 5xx, resets, timeouts →
 * wait and retry, bounded). Everything else surfaces as an ApiError for the caller to act on.
 */
export class NemoHttp {
  constructor(private readonly deps: HttpDeps) {}

  get baseUrl(): string {
    return this.deps.baseUrl;
  }

  async json(call: HttpCall): Promise<JsonAnswer> {
    const answer = await this.send({ ...call, streamAnswer: false });
    return answer as JsonAnswer;
  }

  async stream(call: HttpCall): Promise<StreamAnswer> {
    const answer = await this.send({ ...call, streamAnswer: true });
    if (!('release' in answer)) throw protocolError(call.endpoint, 'a JSON answer instead of a stream');
    return answer;
  }

  private async send(call: HttpCall): Promise<JsonAnswer | StreamAnswer> {
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      // The token goes only to the API's own origin, never to a CDN that serves the download.
      const token =
        call.auth && this.isApiOrigin(call.path) ? await this.deps.tokens.token(call.signal) : undefined;
      try {
        return await this.once(call, token);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === 'TOKEN_INVALID' && token && !renewed && (await this.deps.tokens.invalidate(token))) {
          renewed = true;
          this.deps.log.warn(
            { endpoint: call.endpoint, code: err.code },
            'NemoVideo token refused; getting a new one',
          );
          attempt--;
          continue;
        }
        if (err.code === 'RATE_LIMITED' && call.retryRateLimit === false) throw err;
        if (err.code === 'NETWORK' && call.retryNetwork === false) throw err;
        const sessionHiccup = err.code === 'SESSION_NOT_FOUND' && call.sessionFree === true;
        const decision = retryDecision(
          sessionHiccup ? { code: 'SERVER_ERROR', retryAfterSeconds: undefined } : err,
          attempt,
          this.deps.retry,
          this.deps.random,
        );
        if (!decision.retry) throw err;
        this.deps.log.warn(
          { endpoint: call.endpoint, code: err.code, status: err.status, attempt, delayMs: decision.delayMs },
          'NemoVideo request failed; retrying',
        );
        await this.deps.clock.sleep(decision.delayMs, call.signal);
      }
    }
  }

  headers(skill: string | undefined, token: string | undefined): Record<string, string> {
    const h: Record<string, string> = {
      'X-Skill-Source': skill ?? this.deps.defaultSkill,
      'X-Skill-Version': this.deps.version,
      'X-Skill-Platform': this.deps.platform,
    };
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  }

  private isApiOrigin(path: string): boolean {
    return new URL(this.url(path)).origin === new URL(this.deps.baseUrl).origin;
  }

  private url(path: string): string {
    // Joined as text so a base URL with a path prefix (a proxy) keeps it.
    return /^https?:\/\//i.test(path) ? path : `${this.deps.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  private async once(call: HttpCall, token: string | undefined): Promise<JsonAnswer | StreamAnswer> {
    if (this.deps.beforeCall) await this.deps.beforeCall(call.signal);
    const headers = { ...this.headers(call.skill, token), ...call.headers };
    const timeoutMs = call.timeoutMs ?? this.deps.requestTimeoutMs;
    const dog = watchdog(call.endpoint, timeoutMs);
    let res: Answered;
    try {
      res = await this.request(call, headers, timeoutMs, dog);
    } catch (err) {
      dog.release();
      throw this.transportError(call, err, dog.signal);
    }
    return this.answer(call, res, dog);
  }

  /**
   * Large transfers go over node:http (see bulk-transport.ts), everything else through undici and
   * the shared connection pool.
   */
  private async request(
    call: HttpCall,
    headers: Record<string, string>,
    timeoutMs: number,
    dog: Watchdog,
  ): Promise<Answered> {
    const signal = call.signal ? AbortSignal.any([call.signal, dog.signal]) : dog.signal;
    // While the body goes out, only silence counts; after it, the server gets the full timeout.
    const onSent = (n: number) => {
      dog.arm();
      call.onSent?.(n);
    };
    if (call.bulk || call.stream) {
      if (call.stream) {
        headers['Content-Type'] = call.stream.contentType;
        if (call.stream.contentLength !== undefined)
          headers['Content-Length'] = String(call.stream.contentLength);
      }
      return bulkRequest({
        url: this.url(call.path),
        method: call.method,
        headers,
        body: call.stream,
        signal,
        idleMs: call.streamAnswer ? (call.idleMs ?? timeoutMs) : 0,
        onSent,
      });
    }
    return request(this.url(call.path), {
      method: call.method,
      headers,
      body: requestBody(call, headers),
      signal,
      dispatcher: this.deps.dispatcher,
      headersTimeout: 0,
      bodyTimeout: call.streamAnswer ? (call.idleMs ?? timeoutMs) : 0,
      // A streamed answer (SSE) buffers up to 1 MiB before the socket is paused, instead of
      // undici's 64 KiB.
      ...(call.streamAnswer ? { highWaterMark: STREAM_ANSWER_BUFFER } : {}),
    });
  }

  /** A streamed answer is handed over unread; anything else is read and checked against the error table. */
  private async answer(call: HttpCall, res: Answered, dog: Watchdog): Promise<JsonAnswer | StreamAnswer> {
    this.deps.log.debug(
      { endpoint: call.endpoint, method: call.method, status: res.statusCode },
      'NemoVideo answered',
    );
    const contentType = String(res.headers['content-type'] ?? '');
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (call.streamAnswer && ok && !contentType.includes('application/json')) {
      dog.release();
      return { status: res.statusCode, headers: res.headers, body: res.body, release: dog.release };
    }
    let text: string;
    try {
      text = await readText(res.body);
    } catch (err) {
      dog.release();
      throw this.transportError(call, err, dog.signal);
    }
    dog.release();
    const parsed = parseBody(text);
    const error = mapAnswerError(
      {
        endpoint: call.endpoint,
        status: res.statusCode,
        body: parsed,
        retryAfter: res.headers['retry-after'],
        now: this.deps.clock.now(),
      },
      this.deps.audience(),
    );
    if (error)
      throw res.url !== undefined && !this.isApiOrigin(res.url) ? foreignError(error, res.url) : error;
    return { status: res.statusCode, body: parsed };
  }

  private transportError(call: HttpCall, err: unknown, timerSignal: AbortSignal): unknown {
    if (call.signal?.aborted) return call.signal.reason ?? err;
    if (timerSignal.aborted) return networkError(call.endpoint, timerSignal.reason, this.deps.audience());
    if (err instanceof ApiError) return err;
    if (isAbortError(err)) return err;
    return networkError(call.endpoint, err, this.deps.audience());
  }
}

/**
 * An error answer from a host other than the API's (a CDN or a storage service a download was sent
 * on to). Its 401, or a code in its body, is not NemoVideo's: it must neither renew a token that is
 * fine nor read as a session or credits problem. Busy (429) and server errors keep their retries.
 * Named by host only: a signed address's query is a credential.
 */
function foreignError(error: ApiError, url: string): ApiError {
  if (error.code === 'RATE_LIMITED' || error.code === 'SERVER_ERROR') return error;
  const host = new URL(url).host;
  return new ApiError('API_ERROR', `The download from ${host} was refused (HTTP ${error.status ?? '?'})`, {
    status: error.status,
    hint: 'The address NemoVideo gave for the video refused the download; the job is retried later.',
    // A refused signed address may be issued afresh; anything else keeps its own verdict.
    retryable: error.code === 'TOKEN_INVALID' || error.retryable,
    context: { endpoint: error.context.endpoint, status: error.status, host },
  });
}
