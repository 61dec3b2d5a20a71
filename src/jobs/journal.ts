import { randomUUID } from 'node:crypto';
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { VideoInboxError, toVideoInboxError } from '../core/errors.js';
import { fsyncDir } from '../core/fsync.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  applyPatch,
  compactDone,
  isActiveState,
  type JobPatch,
  type JobRecord,
  type JobState,
  type NewJob,
} from './job.js';
import { decodeLine, encodeLine } from './journal-line.js';
import { scanLines } from './journal-scan.js';
import { secureStateDir, STATE_FILE_MODE } from './state-dir.js';

/*
 * Why an fsynced append-only log rather than one file per job:
 * - An update is one write and one fdatasync, not write+fsync+rename+directory fsync, and concurrent
 *   updates share a single flush (group commit), so progress checkpoints stay cheap.
 * - Start-up streams one file instead of opening 10,000 small ones.
 * - Every line carries its own checksum: a write torn by kill -9 or power loss is detected and
 *   dropped (it was never acknowledged, since acknowledgement waits for the fsync), and a damaged
 *   line elsewhere costs only that line, never another job.
 * - Each line is the whole job record, so replay is "last valid line per id wins"; compaction
 *   rewrites the live records to a temp file, fsyncs it and renames it over the log (atomic), so a
 *   crash during compaction leaves either the old log or the new one.
 */

export const JOURNAL_FILE = 'journal.log';
const COMPACT_MIN_BYTES = 1024 * 1024;

export interface JobFilter {
  state?: JobState | readonly JobState[];
  folder?: string;
  source?: string;
}

export interface Journal {
  /** Records a new job durably; resolves once it is on disk. */
  create(job: NewJob): Promise<JobRecord>;
  /** Applies a patch durably (see JobPatch); resolves once it is on disk. Unknown id → INTERNAL. */
  update(id: string, patch: JobPatch): Promise<JobRecord>;
  /** The last acknowledged state of a job (a copy). */
  get(id: string): JobRecord | undefined;
  list(filter?: JobFilter): JobRecord[];
  /** A finished job for this content under this rule version: the file needs no new work. */
  findDone(contentHash: string, ruleVersion: string): JobRecord | undefined;
  /** The job still in progress (or held) for this source path, if any. */
  findActiveBySource(path: string): JobRecord | undefined;
  /** The latest finished job taken from this source path (a kept source seen again after a restart). */
  findDoneBySource(path: string): JobRecord | undefined;
  /** Waits for pending writes, then releases the file. */
  close(): Promise<void>;
}

export interface JournalOptions {
  clock?: Clock;
  log?: Logger;
  /**
   * For `status` while the daemon runs: loads what is on disk, never repairs or compacts (the daemon
   * owns the file), and refuses writes.
   */
  readOnly?: boolean;
  /** Test seam: how the log file is opened for appending (to inject a full disk). */
  openFile?: (path: string, flags: string) => Promise<FileHandle>;
  /** Compaction starts once the log passes this size (and twice the live records). Default 1 MiB. */
  compactMinBytes?: number;
}

export async function openJournal(stateDir: string, opts: JournalOptions = {}): Promise<Journal> {
  const journal = new LogJournal(stateDir, opts);
  await journal.load();
  return journal;
}

type Op =
  | { kind: 'create'; job: NewJob; resolve: (r: JobRecord) => void; reject: (e: unknown) => void }
  | {
      kind: 'update';
      id: string;
      patch: JobPatch;
      resolve: (r: JobRecord) => void;
      reject: (e: unknown) => void;
    };

class LogJournal implements Journal {
  private readonly file: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly readOnly: boolean;
  private readonly openFile: (path: string, flags: string) => Promise<FileHandle>;

  private readonly records = new Map<string, JobRecord>();
  /** Bytes of each job's latest line: the size a compacted log would have. */
  private readonly lineBytes = new Map<string, number>();
  private liveBytes = 0;
  private readonly doneIndex = new Map<string, string>();
  private readonly activeBySource = new Map<string, string>();
  private readonly doneBySource = new Map<string, string>();
  private readonly interned = new Map<string, string>();

  private handle: FileHandle | undefined;
  private size = 0;
  private readonly compactMinBytes: number;
  /** No compaction below this size (raised after a failed compaction, so it is not retried at once). */
  private compactFloor: number;
  private queue: Op[] = [];
  private flushing: Promise<void> | undefined;
  /** Set when a failed write could not be undone; writes resume once the tail is repaired. */
  private dirtyTail = false;
  private closed = false;

  constructor(
    private readonly stateDir: string,
    opts: JournalOptions,
  ) {
    this.file = join(stateDir, JOURNAL_FILE);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger();
    this.readOnly = opts.readOnly ?? false;
    this.openFile = opts.openFile ?? ((path, flags) => open(path, flags, STATE_FILE_MODE));
    this.compactMinBytes = opts.compactMinBytes ?? COMPACT_MIN_BYTES;
    this.compactFloor = this.compactMinBytes;
  }

  async load(): Promise<void> {
    if (!this.readOnly) {
      await secureStateDir(this.stateDir);
      await rm(`${this.file}.tmp`, { force: true });
    }
    let damaged = 0;
    let torn = 0;
    try {
      const result = await scanLines(this.file, ({ text, offset }) => {
        const decoded = decodeLine(text);
        if (!decoded.ok) {
          damaged++;
          this.log.warn(
            { file: this.file, offset, reason: decoded.reason },
            'Journal line is damaged; ignoring it',
          );
          return;
        }
        this.install(this.intern(decoded.job), Buffer.byteLength(text) + 1);
      });
      torn = result.tornBytes;
      this.size = result.completeBytes + result.tornBytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (torn > 0) {
      // For a read-only reader the daemon may simply be mid-write: not worth a warning.
      this.log[this.readOnly ? 'debug' : 'warn'](
        { file: this.file, bytes: torn },
        'Journal ends with a half-written line (an interrupted write); ignoring it',
      );
    }
    if (this.readOnly) return;
    if (damaged > 0) {
      // Keep the evidence: a damaged line in the middle is not a crash artefact and deserves a look.
      const copy = `${this.file}.damaged-${this.clock.now()}`;
      await copyFile(this.file, copy);
      this.log.warn({ file: copy, lines: damaged }, 'Kept a copy of the damaged journal');
    }
    if (damaged > 0 || torn > 0 || this.wantsCompaction()) {
      await this.compact();
    } else {
      this.handle = await this.openFile(this.file, this.size === 0 ? 'w+' : 'r+');
      if (this.size === 0) await fsyncDir(this.stateDir);
    }
  }

  create(job: NewJob): Promise<JobRecord> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'create', job, resolve, reject }));
  }

  update(id: string, patch: JobPatch): Promise<JobRecord> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'update', id, patch, resolve, reject }));
  }

  get(id: string): JobRecord | undefined {
    const job = this.records.get(id);
    return job && structuredClone(job);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    const states = filter.state === undefined ? undefined : ([] as JobState[]).concat(filter.state);
    const out: JobRecord[] = [];
    for (const job of this.records.values()) {
      if (states && !states.includes(job.state)) continue;
      if (filter.folder !== undefined && job.folder !== filter.folder) continue;
      if (filter.source !== undefined && job.source !== filter.source) continue;
      out.push(structuredClone(job));
    }
    return out;
  }

  findDone(contentHash: string, ruleVersion: string): JobRecord | undefined {
    const id = this.doneIndex.get(doneKey(contentHash, ruleVersion));
    return id === undefined ? undefined : this.get(id);
  }

  findActiveBySource(path: string): JobRecord | undefined {
    const id = this.activeBySource.get(path);
    return id === undefined ? undefined : this.get(id);
  }

  findDoneBySource(path: string): JobRecord | undefined {
    const id = this.doneBySource.get(path);
    return id === undefined ? undefined : this.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private enqueue(op: Op): void {
    if (this.readOnly || this.closed) {
      op.reject(
        new VideoInboxError(
          'INTERNAL',
          this.readOnly ? 'The journal was opened read-only' : 'The journal is closed',
        ),
      );
      return;
    }
    this.queue.push(op);
    this.kick();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      try {
        await this.flushLoop();
      } finally {
        this.flushing = undefined;
        // An op may have been queued after the loop saw an empty queue but before this line.
        if (this.queue.length > 0) this.kick();
      }
    })();
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.flushBatch(batch);
    }
  }

  /** Group commit: every op queued while the previous flush ran shares one write and one fsync. */
  private async flushBatch(batch: Op[]): Promise<void> {
    const now = this.clock.now();
    const overlay = new Map<string, JobRecord>();
    const done: { op: Op; job: JobRecord; bytes: number }[] = [];
    const chunks: Buffer[] = [];
    for (const op of batch) {
      try {
        const job = this.intern(this.compute(op, overlay, now));
        const line = encodeLine(job);
        overlay.set(job.id, job);
        chunks.push(line);
        done.push({ op, job, bytes: line.length });
      } catch (err) {
        op.reject(err);
      }
    }
    if (chunks.length === 0) return;
    const buf = Buffer.concat(chunks);
    try {
      await this.repairTail();
      const handle = this.handle;
      if (!handle) throw new VideoInboxError('INTERNAL', 'The journal is not open');
      await writeAll(handle, buf, this.size);
      await handle.datasync();
    } catch (err) {
      // Nothing in this batch was acknowledged; cut off whatever part of it reached the file so the
      // next line never lands after half a line.
      this.dirtyTail = true;
      await this.repairTail().catch(() => undefined);
      const error = toVideoInboxError(err);
      this.log.error({ file: this.file, code: error.code }, 'Journal write failed');
      for (const { op } of done) op.reject(error);
      return;
    }
    this.size += buf.length;
    for (const { job, bytes } of done) this.install(job, bytes);
    for (const { op, job } of done) op.resolve(structuredClone(job));
    if (this.wantsCompaction()) {
      await this.compact().catch((err: unknown) => {
        // The log is still valid, only larger; try again after it has grown some more.
        this.compactFloor = this.size * 2;
        this.log.warn({ file: this.file, code: toVideoInboxError(err).code }, 'Journal compaction failed');
      });
    }
  }

  private compute(op: Op, overlay: Map<string, JobRecord>, now: number): JobRecord {
    if (op.kind === 'create') {
      const id = op.job.id ?? randomUUID();
      if (this.records.has(id) || overlay.has(id)) {
        throw new VideoInboxError('INTERNAL', `A job with id ${id} already exists`, { context: { id } });
      }
      const job: JobRecord = {
        ...op.job,
        id,
        state: op.job.state ?? 'queued',
        remote: op.job.remote ?? {},
        attempts: op.job.attempts ?? 0,
        createdAt: now,
        updatedAt: now,
      };
      return job.state === 'done' ? compactDone(job) : applyPatch(job, {}, now);
    }
    const current = overlay.get(op.id) ?? this.records.get(op.id);
    if (!current)
      throw new VideoInboxError('INTERNAL', `No job with id ${op.id}`, { context: { id: op.id } });
    return applyPatch(current, op.patch, now);
  }

  private async repairTail(): Promise<void> {
    if (!this.dirtyTail || !this.handle) return;
    await this.handle.truncate(this.size);
    await this.handle.datasync();
    this.dirtyTail = false;
  }

  /** Worth rewriting: at least half the log is superseded lines. */
  private wantsCompaction(): boolean {
    return this.size > Math.max(this.compactFloor, 2 * this.liveBytes);
  }

  /** Rewrites the live records to a temp file and renames it over the log. */
  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const out = await this.openFile(tmp, 'w');
    let bytes = 0;
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for (const job of this.records.values()) {
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
      bytes += pendingBytes;
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
    this.handle = await this.openFile(this.file, 'r+');
    this.size = bytes;
    this.dirtyTail = false;
    this.compactFloor = this.compactMinBytes;
    this.log.debug({ file: this.file, bytes, jobs: this.records.size }, 'Journal compacted');
  }

  /** Makes `job` the current state of its id and keeps the indexes in step. */
  private install(job: JobRecord, bytes: number): void {
    const previous = this.records.get(job.id);
    if (previous) this.unindex(previous);
    this.records.set(job.id, job);
    this.liveBytes += bytes - (this.lineBytes.get(job.id) ?? 0);
    this.lineBytes.set(job.id, bytes);
    if (job.state === 'done') {
      this.doneIndex.set(doneKey(job.contentHash, job.ruleVersion), job.id);
      this.doneBySource.set(job.source, job.id);
    }
    if (isActiveState(job.state)) this.activeBySource.set(job.source, job.id);
  }

  private unindex(job: JobRecord): void {
    const key = doneKey(job.contentHash, job.ruleVersion);
    if (this.doneIndex.get(key) === job.id) {
      this.doneIndex.delete(key);
      // Rare (a done job retried): another done job for the same content may still stand.
      for (const other of this.records.values()) {
        if (
          other.id !== job.id &&
          other.state === 'done' &&
          doneKey(other.contentHash, other.ruleVersion) === key
        ) {
          this.doneIndex.set(key, other.id);
        }
      }
    }
    if (this.activeBySource.get(job.source) === job.id) this.activeBySource.delete(job.source);
    if (this.doneBySource.get(job.source) === job.id) this.doneBySource.delete(job.source);
  }

  /** Folder names and rule versions repeat across thousands of jobs; keep one copy of each. */
  private intern(job: JobRecord): JobRecord {
    job.folder = this.internString(job.folder);
    job.ruleVersion = this.internString(job.ruleVersion);
    return job;
  }

  private internString(s: string): string {
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    this.interned.set(s, s);
    return s;
  }
}

function doneKey(contentHash: string, ruleVersion: string): string {
  return `${contentHash}\n${ruleVersion}`;
}

async function writeAll(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < buf.length) {
    const { bytesWritten } = await handle.write(buf, written, buf.length - written, position + written);
    if (bytesWritten === 0) throw Object.assign(new Error('No bytes written'), { code: 'EIO' });
    written += bytesWritten;
  }
}
