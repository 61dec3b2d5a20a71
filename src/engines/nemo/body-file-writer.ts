import { writevSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
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
 * Linux file systems (statfs `f_type`) whose writes go to this machine's page cache. Anything else
 * (NFS, SMB/CIFS, FUSE, an unknown type, another OS) may block a write for as long as its server
 * takes, so it is written through the threadpool only: the daemon's event loop never waits on a NAS.
 */
const LOCAL_FILE_SYSTEMS = new Set([
  0xef53, // ext2, ext3, ext4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
  0x794c7630, // overlayfs (containers)
  0xca451a4e, // bcachefs
]);

/** Whether a body written to a file in `dir` may be written directly (see writeBody). */
export async function directWritesSuit(
  dir: string,
  platform: NodeJS.Platform = process.platform,
  statfsOf: (path: string) => Promise<{ type: number }> = statfs,
): Promise<boolean> {
  if (platform !== 'linux') return false;
  try {
    return LOCAL_FILE_SYSTEMS.has((await statfsOf(dir)).type);
  } catch {
    return false;
  }
}

export interface WriteBodyOptions {
  /** Write lent batches directly while they are quick (a local file system: directWritesSuit). */
  direct: boolean;
  /** The clock that times the direct writes. */
  now?: () => number;
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
 * at most. Only on a local file system (`options.direct`): a network share's write can block for as
 * long as its server takes, so there every write goes through the threadpool.
 */
export async function writeBody(
  body: Readable,
  file: BodyFile,
  onWritten: (total: number) => void,
  options: WriteBodyOptions,
): Promise<number> {
  const now = options.now ?? (() => performance.now());
  let total = 0;
  let direct = options.direct;
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
