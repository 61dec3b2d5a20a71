import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import { withFileLock } from '../../core/file-lock.js';
import { ApiError } from '../../core/errors.js';
import { registerSecret } from '../../core/secrets.js';
import type { CredentialsStore, StoredCredentials } from './credentials-store.js';
import type { TokenGrant } from './envelope.js';
import { DEFAULT_RETRY, type RetrySettings } from './options.js';
import { retryDecision } from './retry-policy.js';
import { tokenAnswerMayBeLost } from './token-answer-policy.js';

/**
 * Fetches a new anonymous token for a client id (the HTTP call, injected). It must not retry a reset
 * or a timeout itself: the answer may have been lost after the token was issued, and the provider
 * then tries again under a new client id.
 */
export type AnonymousTokenFetcher = (
  clientId: string,
  options: { signal?: AbortSignal; retryRateLimit: boolean },
) => Promise<TokenGrant>;

export interface TokenProviderOptions {
  baseUrl: string;
  /** NEMO_TOKEN: a registered account; never replaced, never persisted. */
  envToken?: string;
  store: CredentialsStore;
  fetchAnonymous: AnonymousTokenFetcher;
  clock: Clock;
  log: Logger;
  /** Backoff between token requests whose answer was lost; default DEFAULT_RETRY. */
  retry?: RetrySettings;
  random?: () => number;
}

/** A token is replaced this long before it expires, so no job starts with one about to die. */
const EXPIRY_MARGIN_MS = 10 * 60_000;

/**
 * Hands out the token to use. An anonymous token is acquired at most once at a time (concurrent jobs
 * share one acquisition), persisted with the client id, and reused across runs until it expires.
 */
export class TokenProvider {
  private current: StoredCredentials | undefined;
  /** The token refused last, kept in case the server then says it is still live. */
  private refused: StoredCredentials | undefined;
  private acquiring: Promise<string> | undefined;

  constructor(private readonly options: TokenProviderOptions) {
    registerSecret(options.envToken);
  }

  get anonymous(): boolean {
    return !this.options.envToken;
  }

  /** The anonymous user id, for registration links. */
  get userId(): string | undefined {
    return this.current?.userId;
  }

  async token(signal?: AbortSignal): Promise<string> {
    if (this.options.envToken) return this.options.envToken;
    if (this.current && this.usable(this.current)) return this.current.token as string;
    this.acquiring ??= this.locked(signal).finally(() => {
      this.acquiring = undefined;
    });
    return this.acquiring;
  }

  private async locked(signal?: AbortSignal): Promise<string> {
    await this.options.store.ensureDir();
    return withFileLock(`${this.options.store.path}.lock`, () => this.load(signal), {
      clock: this.options.clock,
      signal,
    });
  }

  /** The server refused `token` (1001): forget it, unless another job already replaced it. */
  async invalidate(token: string): Promise<boolean> {
    if (this.options.envToken) return false;
    if (this.acquiring) await this.acquiring.catch(() => undefined);
    if (this.current?.token === token) {
      this.refused = this.current;
      this.current = { ...this.current, token: undefined, expiresAt: undefined };
      await this.options.store.write(this.current);
    }
    return true;
  }

  /** HTTP 400 on the token call means the server wants another client id. */
  async replaceClientId(): Promise<string> {
    const clientId = randomUUID();
    this.current = { clientId, baseUrl: this.options.baseUrl };
    await this.options.store.write(this.current);
    this.options.log.warn({ code: 'MISSING_CLIENT_ID' }, 'NemoVideo asked for a new client id');
    return clientId;
  }

  async clientId(): Promise<string> {
    if (!this.current) await this.readStored();
    return (this.current as StoredCredentials).clientId;
  }

  private usable(c: StoredCredentials): boolean {
    if (!c.token || c.baseUrl !== this.options.baseUrl) return false;
    return c.expiresAt === undefined || c.expiresAt - EXPIRY_MARGIN_MS > this.options.clock.now();
  }

  private async readStored(): Promise<void> {
    const stored = await this.options.store.read();
    if (stored) {
      registerSecret(stored.token);
      this.current = stored;
      return;
    }
    this.current = { clientId: randomUUID(), baseUrl: this.options.baseUrl };
    await this.options.store.write(this.current);
  }

  private async load(signal?: AbortSignal): Promise<string> {
    // Another process (or an earlier run) may have stored a fresh token since we last looked.
    const before = this.current?.token;
    await this.readStored();
    const stored = this.current as StoredCredentials;
    if (this.usable(stored) && stored.token !== before) {
      this.options.log.debug({ clientIdSet: true }, 'Reusing stored NemoVideo token');
      return stored.token as string;
    }
    const refused = this.refused;
    this.refused = undefined;
    let replacedId = false;
    for (let attempt = 1; ; attempt++) {
      const clientId = await this.unspentClientId();
      const refusedHere = refused?.clientId === clientId ? refused : undefined;
      let grant: TokenGrant;
      try {
        grant = await this.fetchRecorded(clientId, { signal, retryRateLimit: !refusedHere });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === 'RATE_LIMITED' && refusedHere?.token && this.usable(refusedHere)) {
          // One token per client id: a 429 here means the server still counts the refused token as
          // live (a passing hiccup), so it is worth exactly one more try.
          this.options.log.warn({ code: err.code }, 'NemoVideo kept the current token; retrying with it');
          this.current = refusedHere;
          await this.options.store.write(refusedHere);
          return refusedHere.token;
        }
        if (err.code === 'MISSING_CLIENT_ID' && !replacedId) {
          replacedId = true;
          await this.replaceClientId();
          attempt--;
          continue;
        }
        if (err.code !== 'NETWORK') throw err;
        const decision = retryDecision(err, attempt, this.retry, this.options.random);
        if (!decision.retry) throw err;
        this.options.log.warn(
          { code: err.code, attempt, delayMs: decision.delayMs },
          'NemoVideo token request failed; retrying',
        );
        await this.options.clock.sleep(decision.delayMs, signal);
        continue;
      }
      registerSecret(grant.token);
      if (!grant.token) throw new ApiError('PROTOCOL', 'NemoVideo issued an empty token');
      this.current = {
        clientId,
        token: grant.token,
        userId: grant.userId,
        expiresAt: grant.expiresAt,
        baseUrl: this.options.baseUrl,
      };
      await this.options.store.write(this.current);
      this.options.log.info({ credits: grant.credits }, 'Got an anonymous NemoVideo token');
      return grant.token;
    }
  }

  private get retry(): RetrySettings {
    return this.options.retry ?? DEFAULT_RETRY;
  }

  /**
   * The client id to ask under. One whose last token answer was lost (in transit, or with a process
   * that died mid-request) may have earned a token we never saw, which the server counts for 7 days
   * (every request under it gets 429): it is spent, and a new one is taken and persisted.
   */
  private async unspentClientId(): Promise<string> {
    const current = this.current as StoredCredentials;
    if (current.tokenRequestedAt === undefined) return current.clientId;
    this.current = { clientId: randomUUID(), baseUrl: this.options.baseUrl };
    await this.options.store.write(this.current);
    this.options.log.warn(
      { requestedAt: new Date(current.tokenRequestedAt).toISOString() },
      'An anonymous NemoVideo token answer was lost; asking under a new client id',
    );
    return this.current.clientId;
  }

  /**
   * One token request, recorded as sent before it goes out and as answered when an answer was read,
   * so a lost answer is known even after a crash.
   */
  private async fetchRecorded(
    clientId: string,
    options: { signal?: AbortSignal; retryRateLimit: boolean },
  ): Promise<TokenGrant> {
    const pending: StoredCredentials = {
      ...(this.current as StoredCredentials),
      tokenRequestedAt: this.options.clock.now(),
    };
    this.current = pending;
    await this.options.store.write(pending);
    try {
      return await this.options.fetchAnonymous(clientId, options);
    } catch (err) {
      if (!tokenAnswerMayBeLost(err) && this.current === pending) {
        this.current = { ...pending, tokenRequestedAt: undefined };
        await this.options.store.write(this.current);
      }
      throw err;
    }
  }
}
