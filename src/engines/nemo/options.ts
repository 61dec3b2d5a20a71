import type { Logger } from '../../core/logger.js';
import type { Clock } from '../../core/clock.js';
import type { AtomicWriteFs } from '../../core/atomic-write.js';
import type { Dispatcher } from 'undici';

export const DEFAULT_BASE_URL = 'https://mega-api-prod.nemovideo.ai';
export { DEFAULT_SKILL } from '../skill.js';
/** Where anonymous users register; `?bind=<user id>` ties the new account to the anonymous one. */
export const DEFAULT_REGISTRATION_URL = 'https://nemovideo.ai/register';

/** Settings of the NemoVideo client; every duration is configurable so tests can run in seconds. */
export interface NemoClientOptions {
  /** Awaited before every request is sent (cluster mode: the account's call rate shared by all nodes). */
  beforeCall?: (signal?: AbortSignal) => Promise<void>;
  /** API base URL (NEMO_API_BASE); default the production service. */
  baseUrl?: string;
  /** Directory holding `nemo-credentials.json` (client id and anonymous token, mode 0600). */
  stateDir: string;
  /** A registered account's token (NEMO_TOKEN); when set no anonymous token is ever requested. */
  token?: string;
  /** X-Skill-Platform: `clawhub`, `cursor`, `github` or `unknown` (default). */
  platform?: string;
  /** X-Skill-Version; default the package version. */
  version?: string;
  /** X-Skill-Source when a call names no skill; default `video-converter-best`. */
  defaultSkill?: string;
  /** Base of the registration link shown to anonymous users who ran out of credits. */
  registrationUrl?: string;
  /** Timeout of one plain JSON request (headers and body); default 60 s. */
  requestTimeoutMs?: number;
  /** An upload or download fails when no byte moves for this long; default 120 s. */
  transferIdleMs?: number;
  /** Bounded backoff for 5xx, resets and timeouts. */
  retry?: Partial<RetrySettings>;
  /** Hard cap of one instruction stream; default 15 minutes. */
  sseCapMs?: number;
  /** The stream fails when nothing (not even a heartbeat) arrives for this long; default 5 minutes. */
  sseIdleMs?: number;
  /** A "still working" progress line at least this often during a stream; default 2 minutes. */
  stillWorkingMs?: number;
  /** Render polling: the steady interval (config `pollSeconds`), default 30 s. */
  pollSeconds?: number;
  /** First poll delay; polling starts here and backs off to `pollSeconds`; default 2 s. */
  pollInitialMs?: number;
  /** A render not finished within this fails with RENDER_TIMEOUT; default 30 minutes. */
  renderTimeoutMs?: number;
  /** Files above this size are refused before uploading (FILE_TOO_LARGE); default 500 MB. */
  maxUploadBytes?: number;
  log: Logger;
  clock: Clock;
  /** How the credentials file is written (atomically, mode 0600). */
  fs: AtomicWriteFs;
  /** undici dispatcher (agent) to use; default the global one. */
  dispatcher?: Dispatcher;
  /** Source of randomness for jitter and ids (tests make it deterministic). */
  random?: () => number;
}

export interface RetrySettings {
  /** Attempts in all (first try included) for 5xx, resets and timeouts; default 5. */
  maxAttempts: number;
  /** First backoff delay; default 1 s. */
  baseMs: number;
  /** Largest backoff delay; default 30 s. */
  maxMs: number;
  /** Wait after a 429 without Retry-After; default 30 s. */
  rateLimitMs: number;
  /** Longest Retry-After honoured; default 10 minutes. */
  maxRateLimitMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 5,
  baseMs: 1000,
  maxMs: 30_000,
  rateLimitMs: 30_000,
  maxRateLimitMs: 600_000,
};

export const ACCEPTED_FORMATS = 'mp4 mov avi webm mkv, jpg png gif webp, mp3 wav m4a aac';
