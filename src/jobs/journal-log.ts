import { copyFile, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { VideoInboxError, toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import type { Logger } from '../core/logger.js';
import type { JobRecord } from './job.js';
import { decodeLine, encodeLine } from './journal-line.js';
import { scanLines } from './journal-scan.js';

export const JOURNAL_FILE = 'journal.log';
export const COMPACT_MIN_BYTES = 1024 * 1024;

/** What the log needs to know about the live records, to decide on and run a compaction. */
export interface LiveRecords {
  /** Bytes the live records take as lines. */
  readonly liveBytes: number;
  readonly size: number;
  all(): Iterable<JobRecord>;
}

export interface JournalLogOptions {
  clock: Clock;
  log: Logger;
  readOnly: boolean;
  openFile: (path: string, flags: string) => Promise<FileHandle>;
  compactMinBytes: number;
}

/**
 * The journal's file: `<stateDir>/journal.log`, append-only checksummed lines, each acknowledged only
 * once fdatasync returned. Loading drops a torn last line and damaged lines (keeping a copy of a
 * damaged log); a failed append is cut off again; compaction rewrites the live records to a temp
 * file and renames it over the log.
 */
export class JournalLog {
  readonly file: string;
  private handle: FileHandle | undefined;
  private size = 0;
  /** No compaction below this size (raised after a failed compaction, so it is not retried at once). */
  private compactFloor: number;
  /** Set when a failed write could not be undone; writes resume once the tail is repaired. */
  private dirtyTail = false;

  constructor(
    private readonly stateDir: string,
    private readonly live: LiveRecords,
    private readonly opts: JournalLogOptions,
  ) {
    this.file = join(stateDir, JOURNAL_FILE);
    this.compactFloor = opts.compactMinBytes;
  }

  /** Replays the log: `onJob` gets every valid line, oldest first. Repairs and compacts unless read-only. */
  async load(onJob: (job: JobRecord, bytes: number) => void): Promise<void> {
    if (!this.opts.readOnly) {
      await mkdir(this.stateDir, { recursive: true });
      await rm(`${this.file}.tmp`, { force: true });
    }
    const { damaged, torn } = await this.replay(onJob);
    if (this.opts.readOnly) return;
    if (damaged > 0) {
      // Keep the evidence: a damaged line in the middle is not a crash artefact and deserves a look.
      const copy = `${this.file}.damaged-${this.opts.clock.now()}`;
      await copyFile(this.file, copy);
      this.opts.log.warn({ file: copy, lines: damaged }, 'Kept a copy of the damaged journal');
    }
    if (damaged > 0 || torn > 0 || this.wantsCompaction()) {
      await this.compact();
    } else {
      this.handle = await this.opts.openFile(this.file, this.size === 0 ? 'w+' : 'r+');
      if (this.size === 0) await fsyncDir(this.stateDir);
    }
  }

  /**
   * Appends whole lines durably: resolves once they are on disk. On failure nothing was
   * acknowledged, and whatever part reached the file is cut off so the next line never lands after
   * half a line.
   */
  async append(lines: Buffer): Promise<void> {
    try {
      await this.repairTail();
      const handle = this.handle;
      if (!handle) throw new VideoInboxError('INTERNAL', 'The journal is not open');
      await writeAll(handle, lines, this.size);
      await handle.datasync();
    } catch (err) {
      this.dirtyTail = true;
      await this.repairTail().catch(() => undefined);
      const error = toVideoInboxError(err);
      this.opts.log.error({ file: this.file, code: error.code }, 'Journal write failed');
      throw error;
    }
    this.size += lines.length;
  }

  /** Compacts once at least half the log is superseded lines; a failure only delays the next try. */
  async compactIfWorthIt(): Promise<void> {
    if (!this.wantsCompaction()) return;
    await this.compact().catch((err: unknown) => {
      // The log is still valid, only larger; try again after it has grown some more.
      this.compactFloor = this.size * 2;
      this.opts.log.warn({ file: this.file, code: toVideoInboxError(err).code }, 'Journal compaction failed');
    });
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async replay(
    onJob: (job: JobRecord, bytes: number) => void,
  ): Promise<{ damaged: number; torn: number }> {
    let damaged = 0;
    let torn = 0;
    try {
      const result = await scanLines(this.file, ({ text, offset }) => {
        const decoded = decodeLine(text);
        if (decoded.ok) {
          onJob(decoded.job, Buffer.byteLength(text) + 1);
          return;
        }
        damaged++;
        this.opts.log.warn(
          { file: this.file, offset, reason: decoded.reason },
          'Journal line is damaged; ignoring it',
        );
      });
      torn = result.tornBytes;
      this.size = result.completeBytes + result.tornBytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (torn > 0) {
      // For a read-only reader the daemon may simply be mid-write: not worth a warning.
      this.opts.log[this.opts.readOnly ? 'debug' : 'warn'](
        { file: this.file, bytes: torn },
        'Journal ends with a half-written line (an interrupted write); ignoring it',
      );
    }
    return { damaged, torn };
  }

  private async repairTail(): Promise<void> {
    if (!this.dirtyTail || !this.handle) return;
    await this.handle.truncate(this.size);
    await this.handle.datasync();
    this.dirtyTail = false;
  }

  /** Worth rewriting: at least half the log is superseded lines. */
  private wantsCompaction(): boolean {
    return this.size > Math.max(this.compactFloor, 2 * this.live.liveBytes);
  }

  /** Rewrites the live records to a temp file and renames it over the log. */
  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const out = await this.opts.openFile(tmp, 'w');
    let bytes;
    try {
      bytes = await writeRecords(out, this.live.all());
      await out.sync();
    } catch (err) {
      await out.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    await out.close();
    await rename(tmp, this.file);
    await fsyncDir(this.stateDir);
    await this.handle?.close();
    this.handle = await this.opts.openFile(this.file, 'r+');
    this.size = bytes;
    this.dirtyTail = false;
    this.compactFloor = this.opts.compactMinBytes;
    this.opts.log.debug({ file: this.file, bytes, jobs: this.live.size }, 'Journal compacted');
  }
}

/** Writes every record as a line, in chunks of about 256 KiB; returns the bytes written. */
async function writeRecords(out: FileHandle, records: Iterable<JobRecord>): Promise<number> {
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for (const job of records) {
    const line = encodeLine(job);
    pending.push(line);
    pendingBytes += line.length;
    if (pendingBytes >= 256 * 1024) {
      await writeAll(out, Buffer.concat(pending), bytes);
      bytes += pendingBytes;
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) await writeAll(out, Buffer.concat(pending), bytes);
  return bytes + pendingBytes;
}

async function writeAll(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buf.length) {
    const { bytesWritten } = await handle.write(buf, written, buf.length - written, position + written);
    if (bytesWritten === 0) throw Object.assign(new Error('No bytes written'), { code: 'EIO' });
    written += bytesWritten;
  }
}

/** How the log file is opened by default. */
export const openLogFile = (path: string, flags: string): Promise<FileHandle> => open(path, flags);
