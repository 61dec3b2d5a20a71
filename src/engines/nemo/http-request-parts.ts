import { Readable } from 'node:stream';
import type { StreamBody } from './http-types.js';

/**
 * The time limit of one request: aborts `signal` with a TimeoutError once `timeoutMs` passes without
 * being re-armed (an upload re-arms it with every chunk sent, so only silence counts).
 */
export interface Watchdog {
  readonly signal: AbortSignal;
  arm(): void;
  release(): void;
}

export function watchdog(endpoint: string, timeoutMs: number): Watchdog {
  const timer = new AbortController();
  const timeout = new TimeoutError(endpoint, timeoutMs);
  let handle: NodeJS.Timeout | undefined;
  const dog: Watchdog = {
    signal: timer.signal,
    arm: () => {
      clearTimeout(handle);
      handle = setTimeout(() => timer.abort(timeout), timeoutMs);
    },
    release: () => clearTimeout(handle),
  };
  dog.arm();
  return dog;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'TIMEOUT';
  constructor(endpoint: string, ms: number) {
    super(`${endpoint} timed out after ${ms} ms`);
  }
}

/** Bytes of an upload body read ahead of the socket: flat memory, and disk reads overlap sends. */
const UPLOAD_READ_AHEAD = 4 * 1024 * 1024;

/** The request body (JSON text or a fresh stream) and the content headers that go with it. */
export function requestBody(
  call: { json?: unknown; stream?: StreamBody },
  headers: Record<string, string>,
  onChunk: (bytes: number) => void,
): string | Readable | undefined {
  if (call.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    return JSON.stringify(call.json);
  }
  if (!call.stream) return undefined;
  headers['Content-Type'] = call.stream.contentType;
  if (call.stream.contentLength !== undefined) headers['Content-Length'] = String(call.stream.contentLength);
  // Room for a few of the source's chunks (1 MiB file reads), so the next read from disk runs while
  // the socket sends the previous one; a 64 KiB mark held back every read until its chunk was sent.
  return Readable.from(watched(call.stream.open(), onChunk), {
    objectMode: false,
    highWaterMark: UPLOAD_READ_AHEAD,
  });
}

export function parseBody(text: string): unknown {
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
