import { writevSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { SocketBody } from './socket-body.js';

/** A write that blocked the event loop longer than this moves the rest of the body to the threadpool. */
export const SLOW_WRITE_MS = 20;

/** What the writer needs of the open temp file (a FileHandle; its descriptor for the direct writes). */
export interface BodyFile {
  fd: number;
  writev(chunks: Buffer[]): Promise<{ bytesWritten: number }>;
}

/**
 * Writes the body to `file` (which it does not own) and returns its length. A body read into reused
 * buffers (bulk-download.ts) lends each filled buffer's bytes (1 MiB), written in one writev before
 * the buffer is read into again; any other stream is written chunk by chunk.
 *
 * The lent batches are written directly (writevSync), not through the threadpool: into the page
 * cache a 1 MiB write takes about a millisecond, and on a small machine the threadpool's hand-over
 * cost a download about 15% of its time (a third busy thread beside the socket's and the server's).
 * The event loop stays responsive because each write is one bounded batch between socket reads; once
 * a write takes longer than SLOW_WRITE_MS (a slow or network disk, the kernel throttling dirty
 * pages), the rest of the body is written through the threadpool, so a slow disk blocks the loop once
 * at most. `now` is the clock that times the writes.
 */
export async function writeBody(
  body: Readable,
  file: BodyFile,
  onWritten: (total: number) => void,
  now: () => number = () => performance.now(),
): Promise<number> {
  let total = 0;
  let direct = true;
  const written = (bytesWritten: number, size: number) => {
    if (bytesWritten !== size) throw new Error(`Short write (${bytesWritten} of ${size} bytes)`);
    total += size;
    onWritten(total);
  };
  const write = async (chunks: Buffer[]) => {
    let size = 0;
    for (const c of chunks) size += c.length;
    if (direct) {
      const started = now();
      const bytesWritten = writevSync(file.fd, chunks);
      if (now() - started > SLOW_WRITE_MS) direct = false;
      return written(bytesWritten, size);
    }
    const { bytesWritten } = await file.writev(chunks);
    written(bytesWritten, size);
  };
  if (body instanceof SocketBody) return body.lend(write);
  for await (const chunk of body) await write([chunk as Buffer]);
  return total;
}
