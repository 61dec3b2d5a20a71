import { isActiveState, type JobRecord, type JobState } from './job.js';
import { keyHash, type DoneKeys, type DoneKeyEntry } from './journal-keys.js';

export interface JobFilter {
  state?: JobState | readonly JobState[];
  folder?: string;
  source?: string;
}

/** Where done records are read back from: the log, by offset (lines are checksummed). */
export interface DoneReader {
  read(offset: number, length: number): JobRecord | undefined;
}

/** A done job as the index keeps it: where its line is, and the hashes of its lookup keys. */
export interface DoneSlot extends DoneKeyEntry {
  slot: number;
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
  // Done slots, one per done line still current; a freed slot has length 0.
  private slots = 0;
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private idHashes = new Uint32Array(1024);
  private contentHashes = new Uint32Array(1024);
  private sourceHashes = new Uint32Array(1024);
  private folderOf = new Uint16Array(1024);
  /** Done records kept in memory, for slots that have no place on disk (no reader). */
  private readonly inMemory = new Map<number, JobRecord>();
  private readonly byId = new HashSlots((s) => this.idHashes[s]!);
  private readonly byContent = new HashSlots((s) => this.contentHashes[s]!);
  private readonly bySource = new HashSlots((s) => this.sourceHashes[s]!);
  private doneCount = 0;

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
    return this.records.size + this.doneCount;
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
    const out: DoneSlot[] = [];
    for (let s = 0; s < this.slots; s++) {
      if (this.lengths[s] === 0) continue;
      out.push({
        slot: s,
        offset: this.offsets[s]!,
        length: this.lengths[s]!,
        idHash: this.idHashes[s]!,
        contentKeyHash: this.contentHashes[s]!,
        sourceHash: this.sourceHashes[s]!,
        folder: this.folderOf[s]!,
      });
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  get folderNames(): readonly string[] {
    return this.folders;
  }

  /** After compaction: the done lines now live at these offsets (same slots, same order). */
  relocate(moved: readonly { slot: number; offset: number }[]): void {
    for (const { slot, offset } of moved) this.offsets[slot] = offset;
  }

  /** Installs the done jobs a keys file describes (at load, before any other line). */
  installKeys(keys: DoneKeys): void {
    const folderMap = keys.folders.map((f) => this.folderId(f));
    this.reserve(this.slots + keys.count);
    this.byId.reserve(keys.count);
    this.byContent.reserve(keys.count);
    this.bySource.reserve(keys.count);
    keys.forEach((e) => {
      this.addSlot(e.offset, e.length, e.idHash, e.contentKeyHash, e.sourceHash, folderMap[e.folder] ?? 0);
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
    const out: JobRecord[] = [];
    const keep = (job: JobRecord): boolean =>
      (!states || states.includes(job.state)) &&
      (filter.folder === undefined || job.folder === filter.folder) &&
      (filter.source === undefined || job.source === filter.source);
    if (!states || states.includes('done')) {
      const folder = filter.folder === undefined ? undefined : this.folderIndex.get(filter.folder);
      const sourceHash = filter.source === undefined ? undefined : keyHash(filter.source);
      if (filter.folder === undefined || folder !== undefined) {
        for (let s = 0; s < this.slots; s++) {
          if (this.lengths[s] === 0) continue;
          if (folder !== undefined && this.folderOf[s] !== folder) continue;
          if (sourceHash !== undefined && this.sourceHashes[s] !== sourceHash) continue;
          const job = this.readSlot(s);
          if (job && keep(job)) out.push(job);
        }
      }
    }
    for (const job of this.records.values()) if (keep(job)) out.push(structuredClone(job));
    return out;
  }

  findDone(contentHash: string, ruleVersion: string): JobRecord | undefined {
    return this.latest(
      this.byContent,
      doneKey(contentHash, ruleVersion),
      (j) => j.contentHash === contentHash && j.ruleVersion === ruleVersion,
    );
  }

  findActiveBySource(path: string): JobRecord | undefined {
    const id = this.activeBySource.get(path);
    return id === undefined ? undefined : this.get(id);
  }

  findDoneBySource(path: string): JobRecord | undefined {
    return this.latest(this.bySource, path, (j) => j.source === path);
  }

  /**
   * Makes `job` the current state of its id (`bytes`: its line's length, `offset`: where that line is
   * in the log, if it is there) and keeps the lookups in step.
   */
  install(job: JobRecord, bytes: number, offset?: number): void {
    const previous = this.records.get(job.id);
    if (previous) {
      this.unindexActive(previous);
      this.records.delete(job.id);
      this.live -= this.lineBytes.get(job.id) ?? 0;
      this.lineBytes.delete(job.id);
    } else {
      const slot = this.doneSlotOf(job.id);
      if (slot !== undefined) this.freeSlot(slot);
    }
    this.live += bytes;
    if (job.state === 'done') {
      const slot = this.addSlot(
        offset ?? -1,
        bytes,
        keyHash(job.id),
        keyHash(doneKey(job.contentHash, job.ruleVersion)),
        keyHash(job.source),
        this.folderId(job.folder),
      );
      if (offset === undefined || !this.reader) this.inMemory.set(slot, job);
      return;
    }
    this.intern(job);
    this.records.set(job.id, job);
    this.lineBytes.set(job.id, bytes);
    if (isActiveState(job.state)) this.activeBySource.set(job.source, job.id);
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
    for (const slot of this.byId.get(keyHash(id))) {
      if (this.readSlot(slot)?.id === id) return slot;
    }
    return undefined;
  }

  private readSlot(slot: number): JobRecord | undefined {
    const kept = this.inMemory.get(slot);
    if (kept) return structuredClone(kept);
    const length = this.lengths[slot] ?? 0;
    if (length === 0 || !this.reader) return undefined;
    return this.reader.read(this.offsets[slot]!, length);
  }

  private addSlot(
    offset: number,
    length: number,
    idHash: number,
    contentKeyHash: number,
    sourceHash: number,
    folder: number,
  ): number {
    const slot = this.slots++;
    this.reserve(this.slots);
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.idHashes[slot] = idHash;
    this.contentHashes[slot] = contentKeyHash;
    this.sourceHashes[slot] = sourceHash;
    this.folderOf[slot] = folder;
    this.byId.add(idHash, slot);
    this.byContent.add(contentKeyHash, slot);
    this.bySource.add(sourceHash, slot);
    this.doneCount++;
    return slot;
  }

  private reserve(n: number): void {
    if (n <= this.lengths.length) return;
    const size = Math.max(n, this.lengths.length * 2);
    this.offsets = grow(this.offsets, new Float64Array(size));
    this.lengths = grow(this.lengths, new Uint32Array(size));
    this.idHashes = grow(this.idHashes, new Uint32Array(size));
    this.contentHashes = grow(this.contentHashes, new Uint32Array(size));
    this.sourceHashes = grow(this.sourceHashes, new Uint32Array(size));
    this.folderOf = grow(this.folderOf, new Uint16Array(size));
  }

  private freeSlot(slot: number): void {
    this.live -= this.lengths[slot]!;
    this.lengths[slot] = 0;
    this.byId.remove(this.idHashes[slot]!, slot);
    this.byContent.remove(this.contentHashes[slot]!, slot);
    this.bySource.remove(this.sourceHashes[slot]!, slot);
    this.inMemory.delete(slot);
    this.doneCount--;
  }

  private unindexActive(job: JobRecord): void {
    if (this.activeBySource.get(job.source) === job.id) this.activeBySource.delete(job.source);
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

function grow<T extends Float64Array | Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Hash → slots, oldest first: an open-addressing table of slot numbers (linear probing) whose
 * hashes live in `hashOf`, so a key costs 4-8 bytes and no object. Removed entries are tombstones.
 */
class HashSlots {
  private table = new Int32Array(2048).fill(EMPTY);
  private used = 0;

  constructor(private readonly hashOf: (slot: number) => number) {}

  reserve(extra: number): void {
    if ((this.used + extra) * 2 > this.table.length) this.rehash(this.used + extra);
  }

  get(hash: number): number[] {
    const out: number[] = [];
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = this.table[i]!;
      if (slot === EMPTY) break;
      if (slot !== GONE && this.hashOf(slot) === hash) out.push(slot);
    }
    return out.sort((a, b) => a - b);
  }

  add(hash: number, slot: number): void {
    if ((this.used + 1) * 2 > this.table.length) this.rehash(this.used + 1);
    const mask = this.table.length - 1;
    let i = hash & mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & mask;
    this.table[i] = slot;
    this.used++;
  }

  remove(hash: number, slot: number): void {
    const mask = this.table.length - 1;
    for (let i = hash & mask; this.table[i] !== EMPTY; i = (i + 1) & mask) {
      if (this.table[i] === slot) {
        this.table[i] = GONE;
        return;
      }
    }
  }

  private rehash(need: number): void {
    const old = this.table;
    let size = this.table.length;
    while (need * 2 > size) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.used = 0;
    const mask = size - 1;
    for (const slot of old) {
      if (slot === EMPTY || slot === GONE) continue;
      let i = this.hashOf(slot) & mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & mask;
      this.table[i] = slot;
      this.used++;
    }
  }
}

const EMPTY = -1;
const GONE = -2;

function doneKey(contentHash: string, ruleVersion: string): string {
  return `${contentHash}\n${ruleVersion}`;
}
