import type { Readable } from 'node:stream';

/** A request body made afresh for every attempt (uploads re-read the file from disk). */
export interface StreamBody {
  contentType: string;
  contentLength?: number;
  /**
   * The bytes, in order. Each chunk is lent: the source may refill its memory once `release` is
   * called, so the consumer calls it when it no longer needs the bytes (once the socket took them).
   * `gone` aborts when the consumer stops early: a source waiting for a chunk to come back gives up.
   */
  open(gone?: AbortSignal): AsyncIterable<LentChunk>;
}

export interface LentChunk {
  bytes: Uint8Array;
  release(): void;
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
  /**
   * A large transfer (an upload's or a download's body): sent over node:http on a connection of its
   * own rather than through the shared pool. Calls with a `stream` body always are.
   */
  bulk?: boolean;
  /** Set false to surface a 429 at once instead of waiting (the token call after a refusal). */
  retryRateLimit?: boolean;
  /** Set false to surface a reset or timeout at once (the token call picks a new client id first). */
  retryNetwork?: boolean;
  /**
   * The call addresses something by its own id (a render, a CDN file) and needs no session: a 1002
   * answer says nothing about it, so it is retried like a passing server fault.
   */
  sessionFree?: boolean;
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
  body: Readable;
  /** Stops the timers and the abort link; call when done with the body. */
  release(): void;
}
