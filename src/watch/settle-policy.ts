import type { Clock } from '../core/clock.js';

/** What identifies one version of a file: a copy in progress changes size or mtime, a replacement the inode. */
export interface Fingerprint {
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface SettleOptions {
  /** How long size, mtime and inode must stay the same before a file counts as complete. */
  settleMs: number;
  /** How long an empty file must stay empty before it is handed over anyway (as an empty file). */
  emptySettleMs: number;
  /**
   * A changed file's window starts at its mtime (its last write) instead of at the look, when that
   * mtime lies at most this long before the look: the time between a write and the loop's next look
   * is not waited twice. An mtime outside that range (a copy that kept its old date, another clock)
   * earns nothing. Default 0: the window starts at the look.
   */
  creditMs?: number;
}

/**
 * - `wait`: not stable long enough yet (or empty and still within the empty window).
 * - `ready`: stable for `settleMs`; the caller checks it can be opened, then calls `markEmitted`.
 * - `ready-empty`: stayed empty for `emptySettleMs`; handed over so the pipeline can set it aside.
 * - `unchanged`: this exact version was emitted before; the candidate is dropped.
 */
export type SettleVerdict = 'wait' | 'ready' | 'ready-empty' | 'unchanged';

interface Candidate {
  fp: Fingerprint | undefined;
  since: number;
  /** When looking again can change the verdict: stat is spared until then. */
  nextCheck: number;
  busySince: number | undefined;
}

export function sameFingerprint(a: Fingerprint | undefined, b: Fingerprint | undefined): boolean {
  return (
    a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino
  );
}

/**
 * The completeness policy for one inbox, with time injected. It only remembers two small things per
 * path: the candidate being watched, and the fingerprint last emitted (so a file is handed over once
 * per version, however many events or rescans report it).
 */
export class SettleTracker {
  private readonly pending = new Map<string, Candidate>();
  private readonly emitted = new Map<string, Fingerprint>();

  constructor(
    private readonly clock: Clock,
    private readonly options: SettleOptions,
  ) {}

  /**
   * Records a candidate; returns false when it was already pending. Never decides anything itself.
   * A scan that already stat'ed the file passes `fp` as its first observation.
   */
  add(path: string, fp?: Fingerprint): boolean {
    if (this.pending.has(path)) return false;
    const now = this.clock.now();
    this.pending.set(path, { fp: undefined, since: now, nextCheck: now, busySince: undefined });
    if (fp !== undefined) this.observe(path, fp);
    return true;
  }

  /**
   * Whether observing `path` now could change anything. Size and mtime only move forward while a file
   * is written, so comparing at the start and the end of the window is enough: a change in between
   * still shows at the end. This keeps a large backlog at about one stat per file per window.
   */
  isDue(path: string): boolean {
    const candidate = this.pending.get(path);
    return candidate !== undefined && this.clock.now() >= candidate.nextCheck;
  }

  /**
   * An event says the pending file changed: look at it on the next pass instead of at the end of its
   * window, so the window restarts from (about) its last write rather than from a later look. Costs
   * at most one stat per pass for a file being written; never makes anything ready by itself.
   */
  touch(path: string): void {
    const candidate = this.pending.get(path);
    if (candidate !== undefined) candidate.nextCheck = Math.min(candidate.nextCheck, this.clock.now());
  }

  /** The earliest time a look at some pending file could change its verdict; none when none pend. */
  nextCheckAt(): number | undefined {
    let next: number | undefined;
    for (const candidate of this.pending.values())
      if (next === undefined || candidate.nextCheck < next) next = candidate.nextCheck;
    return next;
  }

  has(path: string): boolean {
    return this.pending.has(path);
  }

  pendingPaths(): string[] {
    return [...this.pending.keys()];
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Feeds one observation of a pending file and says what to do with it. */
  observe(path: string, fp: Fingerprint): SettleVerdict {
    const candidate = this.pending.get(path);
    if (candidate === undefined) return 'wait';
    if (sameFingerprint(this.emitted.get(path), fp)) {
      this.pending.delete(path);
      return 'unchanged';
    }
    const now = this.clock.now();
    if (!sameFingerprint(candidate.fp, fp)) {
      candidate.fp = { ...fp };
      const credit = this.options.creditMs ?? 0;
      candidate.since = fp.mtimeMs <= now && fp.mtimeMs >= now - credit ? fp.mtimeMs : now;
      candidate.nextCheck = candidate.since + this.options.settleMs;
      candidate.busySince = undefined;
      return 'wait';
    }
    const stableFor = now - candidate.since;
    if (fp.size === 0) {
      if (stableFor >= this.options.emptySettleMs) return 'ready-empty';
      // Look every window, so a placeholder that starts filling is noticed promptly.
      candidate.nextCheck = Math.min(
        now + this.options.settleMs,
        candidate.since + this.options.emptySettleMs,
      );
      return 'wait';
    }
    if (stableFor >= this.options.settleMs) return 'ready';
    candidate.nextCheck = candidate.since + this.options.settleMs;
    return 'wait';
  }

  /**
   * A ready file could not be opened (still locked by its writer, or not readable yet). It stays
   * pending and is tried again every window, never dropped; returns true the first time, so the
   * caller says so once.
   */
  markBusy(path: string): boolean {
    const candidate = this.pending.get(path);
    if (candidate === undefined) return false;
    const now = this.clock.now();
    candidate.nextCheck = now + this.options.settleMs;
    if (candidate.busySince !== undefined) return false;
    candidate.busySince = now;
    return true;
  }

  markEmitted(path: string, fp: Fingerprint): void {
    this.pending.delete(path);
    this.emitted.set(path, { ...fp });
  }

  /** True when this exact version was already handed over (a rescan need not even queue it). */
  wasEmitted(path: string, fp: Fingerprint): boolean {
    return sameFingerprint(this.emitted.get(path), fp);
  }

  /** Drops a candidate that is gone (moved away or deleted while its inbox is present). */
  forget(path: string): void {
    this.pending.delete(path);
  }

  /** Forgets that `path` was emitted, so the next event or rescan offers it again. */
  forgetEmitted(path: string): boolean {
    return this.emitted.delete(path);
  }

  /** Forgets emitted versions of files a complete rescan no longer found, keeping memory bounded. */
  pruneEmitted(stillPresent: (path: string) => boolean): void {
    for (const path of this.emitted.keys()) if (!stillPresent(path)) this.emitted.delete(path);
  }

  get emittedCount(): number {
    return this.emitted.size;
  }
}
