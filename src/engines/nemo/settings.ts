import { VERSION } from '../../core/version.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_REGISTRATION_URL,
  DEFAULT_RETRY,
  DEFAULT_SKILL,
  type NemoClientOptions,
  type RetrySettings,
} from './options.js';

/** Resolved settings, every default applied. */
export interface NemoSettings {
  baseUrl: string;
  platform: string;
  version: string;
  defaultSkill: string;
  registrationUrl: string;
  requestTimeoutMs: number;
  transferIdleMs: number;
  retry: RetrySettings;
  sseCapMs: number;
  sseIdleMs: number;
  stillWorkingMs: number;
  pollMs: number;
  pollInitialMs: number;
  renderTimeoutMs: number;
  maxUploadBytes: number;
}

export function resolveSettings(o: NemoClientOptions): NemoSettings {
  return {
    baseUrl: (o.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    platform: o.platform ?? 'unknown',
    version: o.version ?? VERSION,
    defaultSkill: o.defaultSkill ?? DEFAULT_SKILL,
    registrationUrl: o.registrationUrl ?? DEFAULT_REGISTRATION_URL,
    requestTimeoutMs: o.requestTimeoutMs ?? 60_000,
    transferIdleMs: o.transferIdleMs ?? 120_000,
    retry: { ...DEFAULT_RETRY, ...o.retry },
    sseCapMs: o.sseCapMs ?? 15 * 60_000,
    sseIdleMs: o.sseIdleMs ?? 5 * 60_000,
    stillWorkingMs: o.stillWorkingMs ?? 2 * 60_000,
    pollMs: (o.pollSeconds ?? 30) * 1000,
    pollInitialMs: o.pollInitialMs ?? 2000,
    renderTimeoutMs: o.renderTimeoutMs ?? 30 * 60_000,
    maxUploadBytes: o.maxUploadBytes ?? 500 * 1024 * 1024,
  };
}
