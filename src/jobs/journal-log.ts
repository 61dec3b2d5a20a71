import { readSync } from 'node:fs';
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { VideoInboxError, toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import type { Logger } from '../core/logger.js';

/** What the journal logs through: any pino logger, or `quiet` (status and explain log nothing). */
export type JournalLogger = Pick<Logger, 'warn' | 'error' | 'debug'>;

export const quiet: JournalLogger = { warn: () => undefined, error: () => undefined, debug: () => undefined };
import type { JobRecord } from '../domain/job.js';
import type { DoneSlot } from './done-slots.js';
import type { DoneReader } from './journal-index.js';
import { readTrustedKeys, writeCompacted } from './journal-compact.js';
import { openJournalFile, writeAll } from './journal-file-io.js';
import { KEYS_FILE, type DoneKeys } from './journal-keys.js';
import { decodeLine, decodeMarker } from './journal-line.js';
import { scanLines } from './journal-scan.js';
import { secureStateDir, STATE_FILE_MODE } from './state-dir.js';

export const JOURNAL_FILE = 'journal.log';
export const COMPACT_MIN_BYTES = 1024 * 1024;

/** What the log needs from the index, to load keys, compact and move done lines. */
export interface LiveRecords {
  /** Bytes the live records take as lines. */
  readonly liveBytes: number;
  readonly size: number;
  readonly folderNames: readonly string[];
  activeRecords(): Iterable<JobRecord>;
  doneSlots(): DoneSlot[];
  installKeys(keys: DoneKeys): void;
  relocate(moved: readonly { slot: number; offset: number }[]): void;
}

export interface JournalLogOptions {
  clock: Clock;
  log: JournalLogger;
  readOnly: boolean;
  openFile: (path: string, flags: string) => Promise<FileHandle>;
  compactMinBytes: number;
}

/**
 * The journal's file: `<stateDir>/journal.log`, append-only checksummed lines, each acknowledged only
 * once fdatasync returned. Loading drops a torn last line and damaged lines (keeping a copy of a
 * damaged log); a failed append is cut off again; compaction rewrites the live records to a temp
 * file and renames it over the log: done lines first (copied as they are), described by a keys file
 * (`journal.keys`) so the next start reads their keys instead of their lines. Done records are read
 * back one by one (`read`), by offset.
 */
export class JournalLog implements DoneReader {
  readonly file: string;
  private readonly keysFile: string;
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
    this.keysFile = join(stateDir, KEYS_FILE);
    this.compactFloor = opts.compactMinBytes;
  }

  /** Where the next appended line will start. */
  get end(): number {
    return this.size;
  }

  /**
   * Replays the log: `onJob` gets every valid line (after the done lines a valid keys file
   * describes), oldest first. Repairs and compacts unless read-only.
   */
  async load(onJob: (job: JobRecord, bytes: number, offset: number) => void): Promise<void> {
    if (!this.opts.readOnly) {
      await secureStateDir(this.stateDir);
      await rm(`${this.file}.tmp`, { force: true });
      await rm(`${this.keysFile}.tmp`, { force: true });
    }
    const opened = await openJournalFile(this.file, this.opts.readOnly, this.opts.openFile);
    this.handle = opened.handle;
    const created = opened.created;
    const { damaged, torn, doneTailBytes } = await this.replay(onJob);
    if (this.opts.readOnly) return;
    if (damaged > 0) {
      // Keep the evidence: a damaged line in the middle is not a crash artefact and deserves a look.
      const copy = `${this.file}.damaged-${this.opts.clock.now()}`;
      await copyFile(this.file, copy);
      this.opts.log.warn({ file: copy, lines: damaged }, 'Kept a copy of the damaged journal');
    }
    // Done lines past the keys file are parsed at every start: fold them in once they add up.
    const keysBehind = doneTailBytes > this.opts.compactMinBytes;
    if (damaged > 0 || torn > 0 || keysBehind || this.wantsCompaction()) {
      await this.compact();
    } else if (created) {
      await fsyncDir(this.stateDir);
    }
  }

  /** A done record read back from the log, or undefined (and a warning) if its line is damaged. */
  read(offset: number, length: number): JobRecord | undefined {
    const handle = this.handle;
    if (!handle || offset < 0) return undefined;
    const buf = Buffer.allocUnsafe(length);
    const n = readSync(handle.fd, buf, 0, length, offset);
    const decoded = n === length ? decodeLine(buf.toString('utf8', 0, length - 1)) : undefined;
    if (decoded?.ok) return decoded.job;
    this.opts.log.warn({ file: this.file, offset }, 'Journal line is damaged; ignoring it');
    return undefined;
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
    onJob: (job: JobRecord, bytes: number, offset: number) => void,
  ): Promise<{ damaged: number; torn: number; doneTailBytes: number }> {
    let damaged = 0;
    let doneTailBytes = 0;
    const handle = this.handle;
    if (!handle) return { damaged, torn: 0, doneTailBytes };
    const keys = await readTrustedKeys(this.keysFile, handle);
    if (keys) this.live.installKeys(keys);
    const result = await scanLines(handle, keys?.coveredBytes ?? 0, ({ text, offset }) => {
      const decoded = decodeLine(text);
      const bytes = Buffer.byteLength(text) + 1;
      if (decoded.ok) {
        if (decoded.job.state === 'done') doneTailBytes += bytes;
        onJob(decoded.job, bytes, offset);
        return;
      }
      if (decodeMarker(text) !== undefined) return;
      damaged++;
      this.opts.log.warn(
        { file: this.file, offset, reason: decoded.reason },
        'Journal line is damaged; ignoring it',
      );
    });
    const torn = result.tornBytes;
    this.size = result.completeBytes + result.tornBytes;
    if (torn > 0) {
      // For a read-only reader the daemon may simply be mid-write: not worth a warning.
      this.opts.log[this.opts.readOnly ? 'debug' : 'warn'](
        { file: this.file, bytes: torn },
        'Journal ends with a half-written line (an interrupted write); ignoring it',
      );
    }
    return { damaged, torn, doneTailBytes };
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

  /**
   * Rewrites the live records to a temp file (marker, done lines copied as they are, then the other
   * records), writes the keys file for it, and renames both into place. The marker's token binds
   * the two: a crash between the renames leaves a keys file the log does not name, which the next
   * start ignores (it reads the lines instead), so the old log or the new one is whole either way.
   */
  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const keysTmp = `${this.keysFile}.tmp`;
    const { bytes, moved } = await writeCompacted(
      {
        handle: this.handle,
        doneSlots: this.live.doneSlots(),
        activeRecords: this.live.activeRecords(),
        folderNames: this.live.folderNames,
        openFile: this.opts.openFile,
      },
      tmp,
      keysTmp,
    );
    await rename(keysTmp, this.keysFile);
    await rename(tmp, this.file);
    await fsyncDir(this.stateDir);
    const next = await this.opts.openFile(this.file, 'r+');
    // Swap the file and the done offsets in one step: a read in between would mix old and new.
    const old = this.handle;
    this.handle = next;
    this.live.relocate(moved);
    await old?.close();
    this.size = bytes;
    this.dirtyTail = false;
    this.compactFloor = this.opts.compactMinBytes;
    this.opts.log.debug({ file: this.file, bytes, jobs: this.live.size }, 'Journal compacted');
  }
}

/** How the log file is opened by default. Journal files are owner-only (0600), like the credentials: they list every file name and folder. */
export const openLogFile = (path: string, flags: string): Promise<FileHandle> =>
  open(path, flags, STATE_FILE_MODE);
