import { randomUUID } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { VideoInboxError } from '../core/errors.js';
import { applyPatch, compactDone, type JobPatch, type JobRecord, type NewJob } from '../domain/job.js';
import { GroupCommit } from './group-commit.js';
import { JournalIndex, type JobFilter } from './journal-index.js';
import { encodeLine } from './journal-line.js';
import { stateDirError } from './state-dir.js';
import {
  COMPACT_MIN_BYTES,
  JOURNAL_FILE,
  JournalLog,
  openLogFile,
  quiet,
  type JournalLogger,
} from './journal-log.js';

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
 * The file lives in journal-log.ts, the lookups in journal-index.ts; this module joins them.
 */

export { JOURNAL_FILE, type JobFilter };

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

/** The daemon's journal: it owns the file, writes, repairs and compacts. */
export interface WriterOptions {
  readOnly?: false;
  clock: Clock;
  log?: JournalLogger;
  /** Test seam: how the log file is opened for appending (to inject a full disk). */
  openFile?: (path: string, flags: string) => Promise<FileHandle>;
  /** Compaction starts once the log passes this size (and twice the live records). Default 1 MiB. */
  compactMinBytes?: number;
}

/**
 * For `status` while the daemon runs: loads what is on disk, never repairs or compacts (the daemon
 * owns the file), and refuses writes.
 */
export interface ReaderOptions {
  readOnly: true;
  log?: JournalLogger;
}

export type JournalOptions = WriterOptions | ReaderOptions;

export async function openJournal(stateDir: string, opts: JournalOptions): Promise<Journal> {
  const index = new JournalIndex();
  const writer = opts.readOnly === true ? undefined : opts;
  const clock = writer?.clock ?? readerClock;
  const file = new JournalLog(stateDir, index, {
    clock,
    log: opts.log ?? quiet,
    readOnly: writer === undefined,
    openFile: writer?.openFile ?? openLogFile,
    compactMinBytes: writer?.compactMinBytes ?? COMPACT_MIN_BYTES,
  });
  index.setReader(file);
  await file
    .load((job, bytes, offset) => index.install(job, bytes, offset))
    .catch((err: unknown) => {
      throw stateDirError(stateDir, err);
    });
  return new LogJournal(index, file, clock, writer === undefined);
}

/** A reader never stamps or names anything by time. */
const readerClock: Clock = {
  now: () => {
    throw new VideoInboxError('INTERNAL', 'The journal was opened read-only');
  },
  sleep: () => Promise.reject(new VideoInboxError('INTERNAL', 'The journal was opened read-only')),
};

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
  private readonly commits = new GroupCommit<Op>((batch) => this.flushBatch(batch));
  private closed = false;

  constructor(
    private readonly index: JournalIndex,
    private readonly file: JournalLog,
    private readonly clock: Clock,
    private readonly readOnly: boolean,
  ) {}

  create(job: NewJob): Promise<JobRecord> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'create', job, resolve, reject }));
  }

  update(id: string, patch: JobPatch): Promise<JobRecord> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'update', id, patch, resolve, reject }));
  }

  get(id: string): JobRecord | undefined {
    return this.index.get(id);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    return this.index.list(filter);
  }

  findDone(contentHash: string, ruleVersion: string): JobRecord | undefined {
    return this.index.findDone(contentHash, ruleVersion);
  }

  findActiveBySource(path: string): JobRecord | undefined {
    return this.index.findActiveBySource(path);
  }

  findDoneBySource(path: string): JobRecord | undefined {
    return this.index.findDoneBySource(path);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.commits.idle();
    await this.file.close();
  }

  private enqueue(op: Op): void {
    if (this.readOnly || this.closed) {
      const why = this.readOnly ? 'The journal was opened read-only' : 'The journal is closed';
      op.reject(new VideoInboxError('INTERNAL', why));
      return;
    }
    this.commits.submit(op);
  }

  /** Every op queued while the previous flush ran shares one write and one fsync. */
  private async flushBatch(batch: Op[]): Promise<void> {
    const now = this.clock.now();
    const overlay = new Map<string, JobRecord>();
    const done: { op: Op; job: JobRecord; line: Buffer }[] = [];
    for (const op of batch) {
      try {
        const job = this.compute(op, overlay, now);
        overlay.set(job.id, job);
        done.push({ op, job, line: encodeLine(job) });
      } catch (err) {
        op.reject(err);
      }
    }
    if (done.length === 0) return;
    let offset = this.file.end;
    try {
      await this.file.append(Buffer.concat(done.map((d) => d.line)));
    } catch (err) {
      // Nothing in this batch was acknowledged; memory keeps the last acknowledged state.
      for (const { op } of done) op.reject(err);
      return;
    }
    for (const { job, line } of done) {
      this.index.install(job, line.length, offset);
      offset += line.length;
    }
    for (const { op, job } of done) op.resolve(structuredClone(job));
    await this.file.compactIfWorthIt();
  }

  private compute(op: Op, overlay: Map<string, JobRecord>, now: number): JobRecord {
    if (op.kind === 'update') {
      const current = overlay.get(op.id) ?? this.index.record(op.id);
      if (!current)
        throw new VideoInboxError('INTERNAL', `No job with id ${op.id}`, { context: { id: op.id } });
      return applyPatch(current, op.patch, now);
    }
    const id = op.job.id ?? randomUUID();
    if (this.index.has(id) || overlay.has(id)) {
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
}
