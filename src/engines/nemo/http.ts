import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import { ApiError, isAbortError } from '../../core/errors.js';
import { mapAnswerError, networkError, protocolError, type ErrorAudience } from './error-map.js';
import { retryDecision } from './retry-policy.js';
import type { RetrySettings } from './options.js';
import type { TokenProvider } from './token-provider.js';

/** A request body made afresh for every attempt (uploads re-read the file from disk). */
export interface StreamBody {
  contentType: string;
  contentLength?: number;
  open(): AsyncIterable<Uint8Array>;
}

export interface HttpCall {
  /** Names the call in logs and errors ('token', 'session', 'upload', 'sse', …). */
  endpoint: string;
  method: 'GET' | 'POST';
  /** A path under the base URL, or an absolute URL (downloads). */
  path: string;
  /** Send `Authorization: Bearer` (all but the token call). */
  auth: boolean;
  /** X-Skill-Source of this request. */
  skill?: string;
  json?: unknown;
  stream?: StreamBody;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Total time for a plain call; for streamed answers, the time until headers arrive. */
  timeoutMs?: number;
  /** Leave a successful (2xx, not JSON) body unread for the caller: SSE and downloads. */
  streamAnswer?: boolean;
  /** The answer body may go this long without a byte (streamed answers); default the timeout. */
  idleMs?: number;
  /** Set false to surface a 429 at once instead of waiting (the token call after a refusal). */
  retryRateLimit?: boolean;
  /** Called with each chunk of the request body as it is sent (upload progress). */
  onSent?: (bytes: number) => void;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export interface StreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** Stops the timers and the abort link; call when done with the body. */
  release(): void;
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
        const decision = retryDecision(err, attempt, this.deps.retry, this.deps.random);
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
    const url = this.url(call.path);
    const headers = { ...this.headers(call.skill, token), ...call.headers };
    const timeoutMs = call.timeoutMs ?? this.deps.requestTimeoutMs;
    const timer = new AbortController();
    const signal = call.signal ? AbortSignal.any([call.signal, timer.signal]) : timer.signal;
    const timeout = new TimeoutError(call.endpoint, timeoutMs);
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => timer.abort(timeout), ms);
    };
    const release = () => clearTimeout(watchdog);
    arm(timeoutMs);

    let body: string | Readable | undefined;
    if (call.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.stream) {
      headers['Content-Type'] = call.stream.contentType;
      if (call.stream.contentLength !== undefined)
        headers['Content-Length'] = String(call.stream.contentLength);
      // While the body goes out, only silence counts; after it, the server gets the full timeout.
      body = Readable.from(
        watched(call.stream.open(), (n) => {
          arm(timeoutMs);
          call.onSent?.(n);
        }),
        { objectMode: false, highWaterMark: 64 * 1024 },
      );
    }

    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: call.method,
        headers,
        body,
        signal,
        dispatcher: this.deps.dispatcher,
        headersTimeout: 0,
        bodyTimeout: call.streamAnswer ? (call.idleMs ?? timeoutMs) : 0,
      });
    } catch (err) {
      release();
      throw this.transportError(call, err, timer.signal);
    }

    this.deps.log.debug(
      { endpoint: call.endpoint, method: call.method, status: res.statusCode },
      'NemoVideo answered',
    );
    const contentType = String(res.headers['content-type'] ?? '');
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    if (call.streamAnswer && ok && !contentType.includes('application/json')) {
      clearTimeout(watchdog);
      return { status: res.statusCode, headers: res.headers, body: res.body, release };
    }

    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      release();
      throw this.transportError(call, err, timer.signal);
    }
    release();
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
    if (error) throw error;
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

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'TIMEOUT';
  constructor(endpoint: string, ms: number) {
    super(`${endpoint} timed out after ${ms} ms`);
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function* watched(
  source: AsyncIterable<Uint8Array>,
  onChunk: (n: number) => void,
): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    onChunk(chunk.byteLength);
    yield chunk;
  }
}
