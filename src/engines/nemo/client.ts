import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { CredentialsStore } from './credentials-store.js';
import { downloadWithRetries } from './download-retry.js';
import {
  parseCredits,
  parseSession,
  parseTokenGrant,
  type Credits,
  type Json,
  type RenderInfo,
  type SessionInfo,
  type UploadedFile,
} from './envelope.js';
import { parseState, type SessionState } from './draft.js';
import { protocolError, type ErrorAudience } from './error-map.js';
import { NemoHttp } from './http.js';
import type { NemoClientOptions } from './options.js';
import { resolveSettings, type NemoSettings } from './settings.js';
import { pollRender, startRender } from './render.js';
import { waitForRender } from './render-wait.js';
import { runInstructionStream, type InstructionOutcome } from './sse-stream.js';
import { TokenProvider } from './token-provider.js';
import { uploadFile, uploadUrls } from './upload.js';
import { unwrap } from './unwrap.js';
import type { Quality } from '../../domain/work.js';

/** Per-call context: which skill the request is for (X-Skill-Source) and how to stop it. */
export interface CallOptions {
  skill?: string;
  signal?: AbortSignal;
}

/**
 * A client of every NemoVideo endpoint in shared/API.md. Each method does one call (with the
 * transport's retries); job-level recovery (new session, resume) is the engine's.
 */
export class NemoClient {
  readonly settings: NemoSettings;
  readonly tokens: TokenProvider;
  private readonly http: NemoHttp;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: NemoClientOptions) {
    this.settings = resolveSettings(options);
    this.log = options.log;
    this.clock = options.clock;
    this.random = options.random ?? Math.random;
    this.tokens = new TokenProvider({
      baseUrl: this.settings.baseUrl,
      envToken: options.token || undefined,
      store: new CredentialsStore(options.stateDir, options.fs),
      fetchAnonymous: (clientId, o) => this.anonymousToken(clientId, o),
      clock: this.clock,
      log: this.log,
      retry: this.settings.retry,
      random: this.random,
    });
    this.http = new NemoHttp({
      baseUrl: this.settings.baseUrl,
      version: this.settings.version,
      platform: this.settings.platform,
      defaultSkill: this.settings.defaultSkill,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      retry: this.settings.retry,
      tokens: this.tokens,
      audience: () => this.audience(),
      clock: this.clock,
      log: this.log,
      random: this.random,
      dispatcher: options.dispatcher,
      beforeCall: options.beforeCall,
    });
  }

  audience(): ErrorAudience {
    return {
      anonymous: this.tokens.anonymous,
      bindId: this.tokens.userId,
      registrationUrl: this.settings.registrationUrl,
      maxUploadBytes: this.settings.maxUploadBytes,
    };
  }

  /** `POST /api/auth/anonymous-token` under `clientId`. Callers use `tokens.token()` instead. */
  private async anonymousToken(clientId: string, o: { signal?: AbortSignal; retryRateLimit: boolean }) {
    const answer = await this.http.json({
      endpoint: 'token',
      method: 'POST',
      path: '/api/auth/anonymous-token',
      auth: false,
      headers: { 'X-Client-Id': clientId },
      signal: o.signal,
      retryRateLimit: o.retryRateLimit,
      // A lost answer may have spent the client id: the token provider retries under a new one.
      retryNetwork: false,
    });
    const grant = parseTokenGrant(unwrap(answer.body));
    if (!grant) throw protocolError('token', 'no data.token');
    return grant;
  }

  async createSession(language: string, call: CallOptions = {}): Promise<SessionInfo> {
    const answer = await this.http.json({
      endpoint: 'session',
      method: 'POST',
      path: '/api/tasks/me/with-session/nemo_agent',
      auth: true,
      ...call,
      json: { task_name: 'project', language },
    });
    const session = parseSession(unwrap(answer.body));
    if (!session) throw protocolError('session', 'no data.session_id');
    return session;
  }

  /** Streams a file from disk as multipart field `files`; `onProgress` gets bytes sent and total. */
  uploadFile(
    sessionId: string,
    path: string,
    call: CallOptions & { onProgress?: (sent: number, total: number) => void } = {},
  ): Promise<UploadedFile[]> {
    return uploadFile(this.http, sessionId, path, { ...this.settings, audience: this.audience() }, call);
  }

  /** Asks the service to fetch files from URLs. */
  uploadUrls(sessionId: string, urls: string[], call: CallOptions = {}): Promise<UploadedFile[]> {
    return uploadUrls(this.http, sessionId, urls, call);
  }

  /** One instruction over `run_sse`; readable lines (never raw JSON) go to `onMessage`. */
  async instruct(
    sessionId: string,
    instruction: string,
    call: CallOptions & { onMessage?: (message: string) => void } = {},
  ): Promise<InstructionOutcome> {
    return runInstructionStream(this.http, sessionId, instruction, {
      skill: call.skill,
      signal: call.signal,
      capMs: this.settings.sseCapMs,
      idleMs: this.settings.sseIdleMs,
      stillWorkingMs: this.settings.stillWorkingMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      onMessage: call.onMessage,
      log: this.log,
      clock: this.clock,
    });
  }

  async state(sessionId: string, call: CallOptions = {}): Promise<SessionState> {
    const answer = await this.http.json({
      endpoint: 'state',
      method: 'GET',
      path: `/api/state/nemo_agent/me/${encodeURIComponent(sessionId)}/latest`,
      auth: true,
      ...call,
    });
    const state = parseState(unwrap(answer.body));
    if (!state) throw protocolError('state', 'no data.state');
    return state;
  }

  startRender(
    args: { renderId: string; sessionId: string; draft: Json; quality: Quality },
    call: CallOptions = {},
  ) {
    return startRender(this.http, args, call);
  }

  pollRender(renderId: string, call: CallOptions = {}) {
    return pollRender(this.http, renderId, call);
  }

  /**
   * Polls a render until it completes: first after `pollInitialMs`, backing off to `pollSeconds`.
   * Returns 'unknown' when the server has no such render; throws RENDER_FAILED / RENDER_TIMEOUT.
   */
  async waitForRender(
    renderId: string,
    call: CallOptions & { onProgress?: (percent: number | undefined) => void } = {},
  ): Promise<RenderInfo | 'unknown'> {
    return waitForRender(
      () => this.pollRender(renderId, call),
      renderId,
      { clock: this.clock, settings: this.settings, signal: call.signal },
      call.onProgress,
    );
  }

  /** Downloads to a temp file beside `destination`, verified and renamed in; retried on breaks. */
  async download(
    url: string,
    destination: string,
    call: CallOptions & { onProgress?: (received: number, total: number | undefined) => void } = {},
  ): Promise<number> {
    return downloadWithRetries(this.http, url, destination, {
      ...call,
      idleMs: this.settings.transferIdleMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      retry: this.settings.retry,
      clock: this.clock,
      random: this.random,
      log: this.log,
    });
  }

  async credits(call: CallOptions = {}): Promise<Credits> {
    const answer = await this.http.json({
      endpoint: 'credits',
      method: 'GET',
      path: '/api/credits/balance/simple',
      auth: true,
      ...call,
    });
    const credits = parseCredits(unwrap(answer.body));
    if (!credits) throw protocolError('credits', 'no data.available');
    return credits;
  }
}
