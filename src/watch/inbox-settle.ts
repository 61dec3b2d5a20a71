import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { isIgnoredRelative } from './ignore-policy.js';
import { errCode } from './inbox-location.js';
import { MISSING_CODES } from './presence-policy.js';
import type { ScannedFile } from './scan-folder.js';
import { relativeToInbox } from './scan-folder.js';
import { SettleTracker, type Fingerprint } from './settle-policy.js';
import type { CompleteFile } from './types.js';

/** The file system as the settle loop sees it. */
export interface FileProbe {
  stat(path: string): Promise<{ size: number; mtimeMs: number; ino: number; isFile(): boolean }>;
  /** The entry itself, a symbolic link not followed. */
  lstat(path: string): Promise<{ size: number; mtimeMs: number; ino: number; isSymbolicLink(): boolean }>;
  /** Which of `paths` a process holds open for writing (Linux, best effort; empty elsewhere). */
  writers(paths: string[]): Promise<Set<string>>;
  openForReading(path: string): Promise<{ ok: true } | { ok: false; code: string }>;
}

export interface SettleDeps {
  clock: Clock;
  log: Logger;
  probe: FileProbe;
  settleMs: number;
  emptySettleMs: number;
  /** The loop's period: a write up to this long before a look starts the window at the write. */
  tickMs?: number;
  /** Extra names to leave alone, relative to the inbox with `/`. */
  isIgnored?: (rel: string) => boolean;
  onFile(file: CompleteFile): void;
}

/** How a pass checks it should go on, and whether the inbox is still there when a file vanished. */
export interface PassGuard {
  /** False once the watcher closes, the folder goes, or the inbox went missing. */
  running(): boolean;
  /** Checks the inbox (a vanished file may mean the whole inbox went); true when it is present. */
  inboxPresent(): Promise<boolean>;
}

interface ReadyFile {
  path: string;
  fp: Fingerprint;
  empty: boolean;
  /** A symbolic link that loops or points at nothing: nothing to open, intake sets it aside. */
  brokenLink: boolean;
}

/** What `stat` answers for a link that loops (ELOOP) or whose target is missing (ENOENT). */
const BROKEN_LINK_CODES = new Set(['ENOENT', 'ELOOP']);

/**
 * The completeness loop of one inbox. Events and scans only offer candidates; each pass stats the
 * due ones, and hands over (once per version) those stable for the window that open for reading and
 * that no process holds open for writing. Owns the settle memory of the inbox.
 */
export class InboxSettle {
  private readonly tracker: SettleTracker;

  constructor(
    private readonly where: { folder: string; inbox: string },
    private readonly deps: SettleDeps,
  ) {
    this.tracker = new SettleTracker(deps.clock, {
      settleMs: deps.settleMs,
      emptySettleMs: deps.emptySettleMs,
      creditMs: deps.tickMs,
    });
  }

  get pendingCount(): number {
    return this.tracker.pendingCount;
  }

  /** When the next pass could hand something over or see a change; none while nothing is pending. */
  nextDueAt(): number | undefined {
    return this.tracker.nextCheckAt();
  }

  /** A file inside the inbox that neither the built-in policy nor the caller ignores. */
  accepts(path: string): boolean {
    const rel = relativeToInbox(this.where.inbox, path);
    if (rel === '' || rel.startsWith('..')) return false;
    return !isIgnoredRelative(rel) && !(this.deps.isIgnored?.(rel) ?? false);
  }

  /** An event saw the file: it becomes a candidate, or (already one) is looked at on the next pass. */
  offer(path: string): void {
    if (this.accepts(path) && !this.tracker.add(path)) this.tracker.touch(path);
  }

  /** A scan listed these files: new versions become candidates. Returns the accepted paths. */
  offerScanned(files: ScannedFile[]): Set<string> {
    const seen = new Set<string>();
    for (const { path, fp } of files) {
      if (!this.accepts(path)) continue;
      seen.add(path);
      if (!this.tracker.wasEmitted(path, fp)) this.tracker.add(path, fp);
    }
    return seen;
  }

  forgetEmitted(path: string): void {
    this.tracker.forgetEmitted(path);
  }

  /** After a complete listing of the very same inbox: forget versions of files no longer there. */
  pruneEmitted(stillThere: Set<string>): void {
    this.tracker.pruneEmitted((path) => stillThere.has(path));
  }

  /** Judges every due candidate once and hands over the complete ones. */
  async pass(guard: PassGuard): Promise<void> {
    const ready = await this.collectReady(guard);
    if (ready === undefined || ready.length === 0) return;
    const writers = await this.deps.probe.writers(ready.filter((r) => !r.brokenLink).map((r) => r.path));
    for (const file of ready) {
      const open = file.brokenLink
        ? { ok: true as const }
        : writers.has(file.path)
          ? { ok: false as const, code: 'OPEN_FOR_WRITING' }
          : await this.deps.probe.openForReading(file.path);
      if (!open.ok) {
        if (this.tracker.markBusy(file.path)) {
          this.deps.log.info(
            { folder: this.where.folder, file: file.path, code: open.code },
            'File is complete but still busy; waiting',
          );
        }
        continue;
      }
      if (!guard.running()) return;
      this.emit(file);
    }
  }

  /** Stats the due candidates; undefined when the pass must stop (closing, or the inbox went). */
  private async collectReady(guard: PassGuard): Promise<ReadyFile[] | undefined> {
    const ready: ReadyFile[] = [];
    for (const path of this.tracker.pendingPaths()) {
      if (!guard.running()) return undefined;
      if (!this.tracker.isDue(path)) continue;
      let st;
      try {
        st = await this.deps.probe.stat(path);
      } catch (err) {
        // A link that loops or points at nothing is judged on the link itself, then handed over so
        // intake sets it aside with its reason instead of it sitting in the inbox unexplained.
        const link = BROKEN_LINK_CODES.has(errCode(err)) ? await this.brokenLink(path) : undefined;
        if (link) {
          const verdict = this.tracker.observe(path, link);
          if (verdict === 'ready' || verdict === 'ready-empty')
            ready.push({ path, fp: link, empty: false, brokenLink: true });
          continue;
        }
        // Gone: moved away or deleted, unless the whole inbox went (then keep waiting for it).
        if (MISSING_CODES.has(errCode(err))) {
          if (!(await guard.inboxPresent())) return undefined;
          this.tracker.forget(path);
        }
        continue;
      }
      if (!st.isFile()) {
        this.tracker.forget(path);
        continue;
      }
      const fp = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
      const verdict = this.tracker.observe(path, fp);
      if (verdict === 'ready' || verdict === 'ready-empty')
        ready.push({ path, fp, empty: verdict === 'ready-empty', brokenLink: false });
    }
    return ready;
  }

  /** The link's own fingerprint when `path` is a symbolic link (its target failed to stat). */
  private async brokenLink(path: string): Promise<Fingerprint | undefined> {
    try {
      const st = await this.deps.probe.lstat(path);
      return st.isSymbolicLink() ? { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } : undefined;
    } catch {
      return undefined;
    }
  }

  private emit({ path, fp, empty }: ReadyFile): void {
    const { folder } = this.where;
    if (empty) this.deps.log.info({ folder, file: path }, 'File stayed empty; handing it over as empty');
    this.tracker.markEmitted(path, fp);
    this.deps.log.debug({ folder, file: path, size: fp.size }, 'File is complete');
    try {
      this.deps.onFile({ folder, path, size: fp.size, mtimeMs: fp.mtimeMs, ino: fp.ino });
    } catch (err) {
      this.deps.log.error({ folder, file: path, err }, 'Handling a complete file failed');
    }
  }
}
