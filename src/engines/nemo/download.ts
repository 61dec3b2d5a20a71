import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ApiError, VideoInboxError } from '../../core/errors.js';
import type { NemoHttp, StreamAnswer } from './http.js';
import { fileHasFtyp } from './mp4-check.js';
import { directWritesSuit, writeBody } from './body-file-writer.js';

export interface DownloadCall {
  skill?: string;
  signal?: AbortSignal;
  idleMs: number;
  requestTimeoutMs: number;
  onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * Where a download to `destination` is written first: one name per destination (a job downloads to its
 * own temp output, one run at a time), so what a killed run left is found and replaced.
 */
export function downloadScratchOf(destination: string): string {
  return join(dirname(destination), `.${basename(destination)}.part`);
}

/**
 * Streams `url` to a temp file beside `destination`, checks it is an MP4 (an `ftyp` box) of the
 * announced length, flushes it to disk and only then renames it into place: `destination` never
 * holds a partial or foreign file.
 */
export async function downloadTo(
  http: NemoHttp,
  url: string,
  destination: string,
  call: DownloadCall,
): Promise<number> {
  const tmp = downloadScratchOf(destination);
  const answer = await http.stream({
    endpoint: 'download',
    method: 'GET',
    path: url,
    auth: true,
    sessionFree: true,
    bulk: true,
    skill: call.skill,
    signal: call.signal,
    timeoutMs: call.requestTimeoutMs,
    idleMs: call.idleMs,
  });
  try {
    const received = await writeVerified(tmp, answer, call);
    await rename(tmp, destination);
    await syncDirectory(dirname(destination));
    return received;
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw downloadError(err, call);
  } finally {
    answer.release();
  }
}

/** Writes the body to `tmp`, checks its length and that it is an MP4, and flushes it; returns its size. */
async function writeVerified(tmp: string, answer: StreamAnswer, call: DownloadCall): Promise<number> {
  const lengthHeader = Number(answer.headers['content-length']);
  const expected = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
  let received = 0;
  // Truncated, not exclusive: what a killed run left under this name is overwritten, never kept.
  const handle = await open(tmp, 'w+', 0o644);
  try {
    const direct = await directWritesSuit(dirname(tmp));
    received = await writeBody(
      answer.body,
      handle,
      (n) => {
        received = n;
        call.onProgress?.(received, expected);
      },
      { direct },
    );
    if (expected !== undefined && received !== expected) {
      throw new ApiError('NETWORK', `The download ended early (${received} of ${expected} bytes)`, {
        retryable: true,
        context: { endpoint: 'download', reason: 'short' },
      });
    }
    if (!(await fileHasFtyp(handle))) {
      throw new ApiError('DOWNLOAD_INVALID', 'The downloaded file is not an MP4', {
        hint: 'NemoVideo returned something other than a video; the job is retried later.',
        retryable: true,
        context: { bytes: received },
      });
    }
    await handle.sync();
    return received;
  } finally {
    await handle.close();
  }
}

/** A body that broke off is the network's (retried); local file system failures are not. */
function downloadError(err: unknown, call: DownloadCall): unknown {
  if (err instanceof VideoInboxError || call.signal?.aborted) return err;
  const code = (err as NodeJS.ErrnoException).code;
  // Local file system failures (full disk, permissions) are not the network's and not retried here.
  if ((err as NodeJS.ErrnoException).syscall) return err;
  return new ApiError('NETWORK', `The download broke off (${code ?? 'error'})`, {
    cause: err,
    hint: 'Check the network connection; the download is retried.',
    retryable: true,
    context: { endpoint: 'download', reason: code === 'BODY_TIMEOUT' ? 'idle' : code },
  });
}

/** Makes the rename itself durable; some filesystems refuse to open a directory, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
