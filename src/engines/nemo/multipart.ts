import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { LentChunk, StreamBody } from './http-types.js';

/** Size of each read from disk, and how many reads may be lent out at once (4 MiB read ahead). */
const READ_SIZE = 1024 * 1024;
const READ_BUFFERS = 4;

const MIME: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.avi': 'video/x-msvideo',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Content-Disposition filename: an ASCII fallback plus the exact UTF-8 name (RFC 6266). */
export function dispositionFilename(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return ascii === name ? `filename="${ascii}"` : `filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * A multipart/form-data body with one `files` part streamed from disk: the file is never read whole
 * into memory, and its exact length is known up front so no chunked encoding is needed. The file is
 * read into a few buffers that are reused once the consumer releases them: a fresh buffer per read
 * cost as much garbage collection as the upload's socket writes.
 */
export function multipartFileBody(path: string, sizeBytes: number, field = 'files'): StreamBody {
  const boundary = `----video-inbox-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${field}"; ${dispositionFilename(basename(path))}\r\n` +
      `Content-Type: ${mimeType(path)}\r\n\r\n`,
    'utf8',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + sizeBytes + tail.length,
    open: async function* (gone?: AbortSignal) {
      yield owned(head);
      yield* fileChunks(path, sizeBytes, gone);
      yield owned(tail);
    },
  };
}

function owned(bytes: Uint8Array): LentChunk {
  return { bytes, release: () => undefined };
}

/** Exactly `sizeBytes` of the file, read into a small ring of buffers lent out in turn. */
async function* fileChunks(path: string, sizeBytes: number, gone?: AbortSignal): AsyncIterable<LentChunk> {
  const ring = new BufferRing(READ_BUFFERS, Math.min(READ_SIZE, Math.max(1, sizeBytes)), gone);
  const handle = await open(path, 'r');
  try {
    let at = 0;
    while (at < sizeBytes) {
      const buffer = await ring.take();
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, sizeBytes - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      yield { bytes: buffer.subarray(0, bytesRead), release: () => ring.give(buffer) };
    }
    // A file that changed size mid-upload would corrupt the request; better to fail and retry.
    const grown = at === sizeBytes && (await handle.read(Buffer.alloc(1), 0, 1, at)).bytesRead > 0;
    if (at !== sizeBytes || grown) {
      const now = (await handle.stat()).size;
      throw new Error(`File changed size during upload (${sizeBytes} → ${now} bytes)`);
    }
  } finally {
    await handle.close();
  }
}

/** A few buffers of one size; `take` waits until one is given back, or fails once `gone` aborts. */
class BufferRing {
  private readonly free: Buffer[] = [];
  private readonly waiting: { done: (b: Buffer) => void; fail: (e: unknown) => void }[] = [];

  constructor(
    count: number,
    size: number,
    private readonly gone?: AbortSignal,
  ) {
    for (let i = 0; i < count; i++) this.free.push(Buffer.allocUnsafeSlow(size));
    gone?.addEventListener(
      'abort',
      () => {
        for (const w of this.waiting.splice(0)) w.fail(gone.reason ?? new Error('request closed'));
      },
      { once: true },
    );
  }

  take(): Promise<Buffer> {
    if (this.gone?.aborted) return Promise.reject(this.gone.reason ?? new Error('request closed'));
    const buffer = this.free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((done, fail) => this.waiting.push({ done, fail }));
  }

  give(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next.done(buffer);
    else this.free.push(buffer);
  }
}
