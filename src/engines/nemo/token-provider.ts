import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import { withFileLock } from '../../core/file-lock.js';
import { ApiError } from '../../core/errors.js';
import { registerSecret } from '../../core/secrets.js';
import type { CredentialsStore, StoredCredentials } from './credentials-store.js';
import type { TokenGrant } from './envelope.js';

/** Fetches a new anonymous token for a client id (the HTTP call, injected). */
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
    let grant: TokenGrant;
    try {
      grant = await this.options.fetchAnonymous(stored.clientId, { signal, retryRateLimit: !refused });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'RATE_LIMITED' && refused?.token && this.usable(refused)) {
        // One token per client id: a 429 here means the server still counts the refused token as
        // live (a passing hiccup), so it is worth exactly one more try.
        this.options.log.warn({ code: err.code }, 'NemoVideo kept the current token; retrying with it');
        this.current = refused;
        await this.options.store.write(refused);
        return refused.token;
      }
      if (err.code !== 'MISSING_CLIENT_ID') throw err;
      const clientId = await this.replaceClientId();
      grant = await this.options.fetchAnonymous(clientId, { signal, retryRateLimit: true });
    }
    registerSecret(grant.token);
    if (!grant.token) throw new ApiError('PROTOCOL', 'NemoVideo issued an empty token');
    this.current = {
      clientId: (this.current as StoredCredentials).clientId,
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
