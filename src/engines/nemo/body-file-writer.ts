import { writevSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { SocketBody } from './socket-body.js';

/** A write that blocked the event loop longer than this moves the rest of the body to the threadpool. */
export const SLOW_WRITE_MS = 20;

/**
 * The most one direct write hands the kernel. Linux backs a write of n bytes with page-cache folios
 * of up to about n bytes (ext4, xfs and btrfs use large folios). On a virtual machine that gives
 * freed memory back to its host (virtio-balloon free page reporting, as cloud and micro VMs do),
 * blocks that large come from memory the host must map again page by page as it is first written:
 * 400 MiB written 1 MiB at a time took 0.68-0.82 s of kernel time there, 512 KiB at a time
 * 0.52-0.56 s, 256 KiB 0.13-0.16 s, 64 KiB 0.15 s, 16 KiB 0.2 s (dd, three seconds after the memory
 * was freed; curl writes 16 KiB at a time). In the transfer bench 64 KiB did best: 1.09-1.11x curl,
 * against 1.17x for 256 KiB, 1.19x for 16 KiB and 1.28-1.46x for 1 MiB. Elsewhere the smaller writes
 * cost a few more system calls (6,400 per 400 MiB).
 */
export const MAX_WRITE_BYTES = 64 * 1024;

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
  /** The direct write (writevSync by default): tests see what each one is given. */
  writevSync?: (fd: number, chunks: Buffer[]) => number;
}

/**
 * Writes the body to `file` (which it does not own) and returns its length. A body read into reused
 * buffers (bulk-download.ts) lends each filled buffer's bytes (1 MiB), written before the buffer is
 * read into again; any other stream is written chunk by chunk.
 *
 * The lent batches are written directly (writevSync, MAX_WRITE_BYTES at a time), not through the
 * threadpool: into the page cache a 1 MiB batch takes about a millisecond, and on a small machine the threadpool's hand-over
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
  const writeNow = options.writevSync ?? writevSync;
  let total = 0;
  let direct = options.direct;
  const checked = (bytesWritten: number, size: number) => {
    if (bytesWritten !== size) throw new Error(`Short write (${bytesWritten} of ${size} bytes)`);
  };
  const write = async (chunks: Buffer[]) => {
    const size = lengthOf(chunks);
    let rest = chunks;
    if (direct) {
      const parts = slices(chunks, MAX_WRITE_BYTES);
      let done = 0;
      while (done < parts.length && direct) {
        const part = parts[done++]!;
        const started = now();
        checked(writeNow(file.fd, part), lengthOf(part));
        if (now() - started > SLOW_WRITE_MS) direct = false;
      }
      rest = parts.slice(done).flat();
    }
    // The rest of the batch, once writes turned slow (or never direct): in one threadpool write.
    if (rest.length > 0) checked((await file.writev(rest)).bytesWritten, lengthOf(rest));
    total += size;
    onWritten(total);
  };
  if (body instanceof SocketBody) return body.lend(write);
  for await (const chunk of body) await write([chunk as Buffer]);
  return total;
}

function lengthOf(chunks: readonly Buffer[]): number {
  let size = 0;
  for (const c of chunks) size += c.length;
  return size;
}

/** `chunks` cut into runs of at most `max` bytes each, in order (views, no copies). */
export function slices(chunks: readonly Buffer[], max: number): Buffer[][] {
  const out: Buffer[][] = [];
  let run: Buffer[] = [];
  let room = max;
  for (let chunk of chunks) {
    while (chunk.length > 0) {
      const part = chunk.subarray(0, room);
      run.push(part);
      room -= part.length;
      chunk = chunk.subarray(part.length);
      if (room === 0) {
        out.push(run);
        run = [];
        room = max;
      }
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}
