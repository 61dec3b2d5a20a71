import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SocketBody } from './socket-body.js';

/**
 * Writes the body to `handle` (which it does not own) and returns its length. A body read into
 * reused buffers (bulk-download.ts) lends each filled buffer's bytes, written in one writev before
 * the buffer is read into again; any other stream is written chunk by chunk.
 */
export async function writeBody(
  body: Readable,
  handle: FileHandle,
  onWritten: (total: number) => void,
): Promise<number> {
  let total = 0;
  const write = async (chunks: Buffer[]) => {
    let size = 0;
    for (const c of chunks) size += c.length;
    const { bytesWritten } = await handle.writev(chunks);
    if (bytesWritten !== size) throw new Error(`Short write (${bytesWritten} of ${size} bytes)`);
    total += size;
    onWritten(total);
  };
  if (body instanceof SocketBody) return body.lend(write);
  for await (const chunk of body) await write([chunk as Buffer]);
  return total;
}
