import { isActiveState, type JobRecord, type JobState } from './job.js';

export interface JobFilter {
  state?: JobState | readonly JobState[];
  folder?: string;
  source?: string;
}

/**
 * What the journal answers from memory: the current record of every job, and the lookups the
 * pipeline asks on each new file (content hash + rule version → done job, source → active job,
 * source → latest done job). Records are stored as given and handed out as copies.
 *
 * Every read goes through `record(id)` and every write through `install`, so done records can later
 * be kept on disk (only their keys in memory) without changing any caller.
 */
export class JournalIndex {
  private readonly records = new Map<string, JobRecord>();
  /** Bytes of each job's latest line: the size a compacted log would have. */
  private readonly lineBytes = new Map<string, number>();
  private live = 0;
  private readonly doneByContent = new Map<string, string>();
  private readonly activeBySource = new Map<string, string>();
  private readonly doneBySource = new Map<string, string>();
  private readonly interned = new Map<string, string>();

  /** Bytes the live records take as lines: what the log would shrink to if compacted. */
  get liveBytes(): number {
    return this.live;
  }

  get size(): number {
    return this.records.size;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** The stored record itself (not a copy): for the journal's own use. */
  record(id: string): JobRecord | undefined {
    return this.records.get(id);
  }

  /** Every stored record, for compaction. */
  all(): IterableIterator<JobRecord> {
    return this.records.values();
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
    return this.getBy(this.doneByContent, doneKey(contentHash, ruleVersion));
  }

  findActiveBySource(path: string): JobRecord | undefined {
    return this.getBy(this.activeBySource, path);
  }

  findDoneBySource(path: string): JobRecord | undefined {
    return this.getBy(this.doneBySource, path);
  }

  /** Makes `job` the current state of its id (`bytes`: its line's length) and keeps the lookups in step. */
  install(job: JobRecord, bytes: number): void {
    this.intern(job);
    const previous = this.records.get(job.id);
    if (previous) this.unindex(previous);
    this.records.set(job.id, job);
    this.live += bytes - (this.lineBytes.get(job.id) ?? 0);
    this.lineBytes.set(job.id, bytes);
    if (job.state === 'done') {
      this.doneByContent.set(doneKey(job.contentHash, job.ruleVersion), job.id);
      this.doneBySource.set(job.source, job.id);
    }
    if (isActiveState(job.state)) this.activeBySource.set(job.source, job.id);
  }

  private getBy(lookup: Map<string, string>, key: string): JobRecord | undefined {
    const id = lookup.get(key);
    return id === undefined ? undefined : this.get(id);
  }

  private unindex(job: JobRecord): void {
    const key = doneKey(job.contentHash, job.ruleVersion);
    if (this.doneByContent.get(key) === job.id) {
      this.doneByContent.delete(key);
      // Rare (a done job retried): another done job for the same content may still stand.
      for (const other of this.records.values()) {
        if (
          other.id !== job.id &&
          other.state === 'done' &&
          doneKey(other.contentHash, other.ruleVersion) === key
        ) {
          this.doneByContent.set(key, other.id);
        }
      }
    }
    if (this.activeBySource.get(job.source) === job.id) this.activeBySource.delete(job.source);
    if (this.doneBySource.get(job.source) === job.id) this.doneBySource.delete(job.source);
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
