import { DoneSlots, type DoneSlot } from './done-slots.js';
import type { HashSlots } from './hash-slots.js';
import { isActiveState, type JobRecord, type JobState } from '../domain/job.js';
import { keyHash, type DoneKeys } from './journal-keys.js';

export type { DoneSlot } from './done-slots.js';

export interface JobFilter {
  state?: JobState | readonly JobState[];
  folder?: string;
  source?: string;
}

/** Where done records are read back from: the log, by offset (lines are checksummed). */
export interface DoneReader {
  read(offset: number, length: number): JobRecord | undefined;
}

/**
 * What the journal answers from memory: the current record of every job that is not done, and for
 * done jobs only where their line is in the log plus hashes of the lookup keys (content hash + rule
 * version, source, id). A done record is read back from disk when asked for; a hash match is always
 * confirmed against the record read, so a hash collision costs a read, never a wrong answer.
 * Without a reader (unit tests) done records stay in memory. Records are handed out as copies.
 */
export class JournalIndex {
  private readonly records = new Map<string, JobRecord>();
  /** Bytes of each not-done job's latest line. */
  private readonly lineBytes = new Map<string, number>();
  private live = 0;
  private readonly activeBySource = new Map<string, string>();
  private readonly folders: string[] = [];
  private readonly folderIndex = new Map<string, number>();
  private readonly interned = new Map<string, string>();
  private readonly done = new DoneSlots();
  /** Done records kept in memory, for slots that have no place on disk (no reader). */
  private readonly inMemory = new Map<number, JobRecord>();

  constructor(private reader?: DoneReader) {}

  /** Done records from now on are read through `reader` (set once the log is open). */
  setReader(reader: DoneReader): void {
    this.reader = reader;
  }

  /** Bytes the live records take as lines: what the log would shrink to if compacted. */
  get liveBytes(): number {
    return this.live;
  }

  get size(): number {
    return this.records.size + this.done.count;
  }

  has(id: string): boolean {
    return this.records.has(id) || this.doneSlotOf(id) !== undefined;
  }

  /** The current record (the stored one if not done, else read back): for the journal's own use. */
  record(id: string): JobRecord | undefined {
    const job = this.records.get(id);
    if (job) return job;
    const slot = this.doneSlotOf(id);
    return slot === undefined ? undefined : this.readSlot(slot);
  }

  /** Not-done records, for compaction. */
  activeRecords(): IterableIterator<JobRecord> {
    return this.records.values();
  }

  /** Current done slots in log order, for compaction. */
  doneSlots(): DoneSlot[] {
    return this.done.entries();
  }

  get folderNames(): readonly string[] {
    return this.folders;
  }

  /** After compaction: the done lines now live at these offsets (same slots, same order). */
  relocate(moved: readonly { slot: number; offset: number }[]): void {
    for (const { slot, offset } of moved) this.done.setOffset(slot, offset);
  }

  /** Installs the done jobs a keys file describes (at load, before any other line). */
  installKeys(keys: DoneKeys): void {
    const folderMap = keys.folders.map((f) => this.folderId(f));
    this.done.reserve(keys.count);
    keys.forEach((e) => {
      this.done.add({ ...e, folder: folderMap[e.folder] ?? 0 });
      this.live += e.length;
    });
  }

  get(id: string): JobRecord | undefined {
    const job = this.records.get(id);
    if (job) return structuredClone(job);
    return this.record(id);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    const states = filter.state === undefined ? undefined : ([] as JobState[]).concat(filter.state);
    const keep = (job: JobRecord): boolean =>
      (!states || states.includes(job.state)) &&
      (filter.folder === undefined || job.folder === filter.folder) &&
      (filter.source === undefined || job.source === filter.source);
    const out = !states || states.includes('done') ? this.listDone(filter, keep) : [];
    for (const job of this.records.values()) if (keep(job)) out.push(structuredClone(job));
    return out;
  }

  findDone(contentHash: string, ruleVersion: string): JobRecord | undefined {
    return this.latest(
      this.done.byContent,
      doneKey(contentHash, ruleVersion),
      (j) => j.contentHash === contentHash && j.ruleVersion === ruleVersion,
    );
  }

  findActiveBySource(path: string): JobRecord | undefined {
    const id = this.activeBySource.get(path);
    return id === undefined ? undefined : this.get(id);
  }

  findDoneBySource(path: string): JobRecord | undefined {
    return this.latest(this.done.bySource, path, (j) => j.source === path);
  }

  /**
   * Makes `job` the current state of its id (`bytes`: its line's length, `offset`: where that line is
   * in the log, if it is there) and keeps the lookups in step.
   */
  install(job: JobRecord, bytes: number, offset?: number): void {
    this.forget(job.id);
    this.live += bytes;
    if (job.state === 'done') {
      const slot = this.done.add({
        offset: offset ?? -1,
        length: bytes,
        idHash: keyHash(job.id),
        contentKeyHash: keyHash(doneKey(job.contentHash, job.ruleVersion)),
        sourceHash: keyHash(job.source),
        folder: this.folderId(job.folder),
      });
      if (offset === undefined || !this.reader) this.inMemory.set(slot, job);
      return;
    }
    this.intern(job);
    this.records.set(job.id, job);
    this.lineBytes.set(job.id, bytes);
    if (isActiveState(job.state)) this.activeBySource.set(job.source, job.id);
  }

  /** Drops the current state of `id` (not done or done) and its line's bytes, before a new one. */
  private forget(id: string): void {
    const previous = this.records.get(id);
    if (previous) {
      if (this.activeBySource.get(previous.source) === id) this.activeBySource.delete(previous.source);
      this.records.delete(id);
      this.live -= this.lineBytes.get(id) ?? 0;
      this.lineBytes.delete(id);
      return;
    }
    const slot = this.doneSlotOf(id);
    if (slot === undefined) return;
    this.live -= this.done.free(slot);
    this.inMemory.delete(slot);
  }

  /** Done records that may match `filter` (narrowed by folder and source hash before any read). */
  private listDone(filter: JobFilter, keep: (job: JobRecord) => boolean): JobRecord[] {
    const out: JobRecord[] = [];
    const folder = filter.folder === undefined ? undefined : this.folderIndex.get(filter.folder);
    if (filter.folder !== undefined && folder === undefined) return out;
    const sourceHash = filter.source === undefined ? undefined : keyHash(filter.source);
    for (let s = 0; s < this.done.end; s++) {
      if (this.done.length(s) === 0) continue;
      if (folder !== undefined && this.done.folder(s) !== folder) continue;
      if (sourceHash !== undefined && this.done.sourceHash(s) !== sourceHash) continue;
      const job = this.readSlot(s);
      if (job && keep(job)) out.push(job);
    }
    return out;
  }

  /** The newest done job among the slots hashed under `key` that really matches. */
  private latest(
    lookup: HashSlots,
    key: string,
    matches: (job: JobRecord) => boolean,
  ): JobRecord | undefined {
    const slots = lookup.get(keyHash(key));
    for (let i = slots.length - 1; i >= 0; i--) {
      const job = this.readSlot(slots[i]!);
      if (job && matches(job)) return job;
    }
    return undefined;
  }

  private doneSlotOf(id: string): number | undefined {
    for (const slot of this.done.byId.get(keyHash(id))) {
      if (this.readSlot(slot)?.id === id) return slot;
    }
    return undefined;
  }

  private readSlot(slot: number): JobRecord | undefined {
    const kept = this.inMemory.get(slot);
    if (kept) return structuredClone(kept);
    const length = this.done.length(slot);
    if (length === 0 || !this.reader) return undefined;
    return this.reader.read(this.done.offset(slot), length);
  }

  private folderId(folder: string): number {
    let id = this.folderIndex.get(folder);
    if (id === undefined) {
      id = this.folders.length;
      this.folders.push(folder);
      this.folderIndex.set(folder, id);
    }
    return id;
  }

  /** Folder names and rule versions repeat across thousands of jobs; keep one copy of each. */
  private intern(job: JobRecord): void {
    job.folder = this.internString(job.folder);
    job.ruleVersion = this.internString(job.ruleVersion);
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
