import type { Draft } from './draft.js';

export interface Account {
  userId: string;
  registered: boolean;
  available: number;
  frozen: number;
}

export interface IssuedToken {
  token: string;
  userId: string;
  clientId?: string;
  expiresAt: number;
  expired: boolean;
}

export interface MediaFile {
  id: string;
  filename: string;
  fileType: 'video' | 'image' | 'audio';
  /** Where the bytes are on disk; absent when a URL upload could not be fetched. */
  path?: string;
  size: number;
  cdnUrl: string;
  duration: number | null;
  width: number | null;
  height: number | null;
  hasAudio: boolean;
}

export interface Session {
  id: string;
  taskId: string;
  userId: string;
  language: string;
  media: MediaFile[];
  draft: Draft;
  generatedMedia: Record<string, unknown>[];
  instructions: number;
}

export type RenderStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface Render {
  id: string;
  sessionId: string;
  userId: string;
  polls: number;
  outputPath: string;
  /** The job itself: ffmpeg's state, which the polls reveal only gradually. */
  job: { done: boolean; error?: string; fraction: number; size: number; durationSec: number | null };
  forcedError?: string;
  reported: { status: RenderStatus; progress: number };
}

/** Everything the emulated service remembers, in memory: accounts, tokens, sessions, renders. */
export class Store {
  readonly accounts = new Map<string, Account>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly sessions = new Map<string, Session>();
  readonly renders = new Map<string, Render>();
  /** Render ids ever used, including ones answered as duplicates. */
  readonly usedRenderIds = new Set<string>();
  /** One anonymous account per client id, so a token refreshed after expiry keeps its sessions. */
  readonly accountByClient = new Map<string, string>();
  private counter = 0;

  constructor(public defaultCredits: number) {}

  nextNumber(): number {
    this.counter += 1;
    return this.counter;
  }

  account(userId: string, registered = false): Account {
    let account = this.accounts.get(userId);
    if (!account) {
      account = { userId, registered, available: this.defaultCredits, frozen: 0 };
      this.accounts.set(userId, account);
    }
    return account;
  }

  liveTokenFor(clientId: string, now: number): IssuedToken | undefined {
    for (const t of this.tokens.values())
      if (t.clientId === clientId && !t.expired && t.expiresAt > now) return t;
    return undefined;
  }

  setCredits(available: number): void {
    this.defaultCredits = available;
    for (const account of this.accounts.values()) account.available = available;
  }

  expireTokens(): void {
    for (const t of this.tokens.values()) t.expired = true;
  }
}
