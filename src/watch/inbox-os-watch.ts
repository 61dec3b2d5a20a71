import { dirname, join, relative } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { FolderWatch, WatchFactory } from './folder-watch.js';
import { isIgnoredRelative } from './ignore-policy.js';
import { errCode, locateInbox } from './inbox-location.js';
import type { DirStat } from './inbox-presence.js';
import { isNetworkFs, type MountEntry } from './mounts.js';
import type { InboxIdentity } from './presence-policy.js';
import { outermostFolders, relativeToInbox } from './scan-folder.js';

const READY_CAP_MS = 30_000;

export interface OsWatchPorts {
  watchFactory: WatchFactory;
  readMounts: () => Promise<MountEntry[]>;
  statDir(path: string): Promise<DirStat>;
  clock: Clock;
  log: Logger;
  /** Poll every inbox (config `watch.poll`). */
  forcePoll: boolean;
  pollIntervalMs: number;
  /** Files (never folders) of this inbox to leave alone, by their path relative to it with `/`. */
  ignoresFile?: (rel: string) => boolean;
}

/** What the OS watch hands on. It only records: the settle loop does the work. */
export interface OsWatchEvents {
  /** A file appeared or changed (path under the inbox path the config names). */
  file(path: string): void;
}

/**
 * The OS watch of one inbox (chokidar through the WatchFactory port), native or polled, replaced as a
 * whole when the inbox changes. Owns the watch, its generation (events of a replaced watch are
 * ignored), the switch to polling when inotify runs out, and the folders that appeared meanwhile.
 */
export class InboxOsWatch {
  private watch: FolderWatch | undefined;
  /** Bumped whenever the watch is replaced, so events from an old one are ignored. */
  private generation = 0;
  private currentMode: 'native' | 'polling' = 'native';
  /** Native watching failed for lack of watches (ENOSPC): this inbox polls from now on. */
  private pollFallback = false;
  /** The error code that calls for the switch to polling, until the next pass makes it. */
  private needsFallback: string | undefined;
  private readonly dirsToScan = new Set<string>();

  constructor(
    private readonly where: { folder: string; inbox: string },
    /** The folder's own `poll: true` (it may change on a config reload). */
    private readonly folderPolls: () => boolean,
    private readonly ports: OsWatchPorts,
    private readonly events: OsWatchEvents,
  ) {}

  get mode(): 'native' | 'polling' {
    return this.currentMode;
  }

  /**
   * Opens a watch on the inbox and resolves once events flow (or after a cap, with a warning: the
   * rescan covers the gap). Throws when the inbox cannot be stat'ed; `onIdentity` gets the directory
   * identity it watches.
   */
  async open(onIdentity: (identity: InboxIdentity) => void): Promise<void> {
    const { inbox } = this.where;
    // chokidar does not follow a symlinked root (followSymlinks is off, to avoid loops), so it watches
    // the real folder and its paths are mapped back under the inbox path the config names.
    const { real, mount } = await locateInbox(inbox, this.ports.readMounts);
    const toInbox = (path: string) => (real === inbox ? path : join(inbox, relative(real, path)));
    const network = mount !== undefined && isNetworkFs(mount);
    const chosen = this.ports.forcePoll || this.folderPolls();
    const poll = chosen || network || this.pollFallback;
    this.currentMode = poll ? 'polling' : 'native';
    const st = await this.ports.statDir(inbox);
    onIdentity({ dev: st.dev, ino: st.ino, mountPoint: mount?.mountPoint });
    if (network && !chosen) {
      this.ports.log.info(
        { ...this.where, fsType: mount?.fsType },
        'Inbox is on a network share; polling it',
      );
    }
    const gen = ++this.generation;
    const current = () => this.generation === gen;
    const watch = this.ports.watchFactory(
      {
        root: real,
        poll,
        intervalMs: this.ports.pollIntervalMs,
        ignored: (path, stats) => {
          const rel = relativeToInbox(real, path);
          if (rel === '' || rel.startsWith('..')) return false;
          if (isIgnoredRelative(rel)) return true;
          // Only once the entry is known not to be a folder: a subfolder may hold videos.
          return stats !== undefined && !stats.isDirectory() && (this.ports.ignoresFile?.(rel) ?? false);
        },
      },
      {
        file: (path) => {
          if (!current()) return;
          // A name that is not valid UTF-8 arrives mangled (U+FFFD); its folder's scan finds the bytes.
          if (path.includes('\uFFFD')) this.dirsToScan.add(dirname(toInbox(path)));
          else this.events.file(toInbox(path));
        },
        dir: (path) => {
          if (current()) this.dirsToScan.add(toInbox(path));
        },
        error: (err) => {
          if (current()) this.onError(err);
        },
      },
    );
    this.watch = watch;
    await this.readyOrCap(watch);
  }

  async close(): Promise<void> {
    this.generation += 1;
    const watch = this.watch;
    this.watch = undefined;
    try {
      await watch?.close();
    } catch (err) {
      this.ports.log.debug({ folder: this.where.folder, code: errCode(err) }, 'Closing a watch failed');
    }
  }

  /** The error code that calls for polling instead of native watching, once. */
  takeFallback(): string | undefined {
    const code = this.needsFallback;
    this.needsFallback = undefined;
    return code;
  }

  /** Polls from the next `open` on. */
  pollFromNowOn(): void {
    this.pollFallback = true;
  }

  /** Folders that appeared since the last call, outermost only (their scan covers the inner ones). */
  takeNewFolders(): string[] {
    const dirs = outermostFolders([...this.dirsToScan]);
    this.dirsToScan.clear();
    return dirs;
  }

  private onError(err: Error): void {
    const code = errCode(err);
    if ((code === 'ENOSPC' || code === 'EMFILE') && this.currentMode === 'native') {
      this.needsFallback = code;
      return;
    }
    this.ports.log.warn(
      { ...this.where, code, err: err.message },
      'Watcher error; the rescan keeps finding files',
    );
  }

  private async readyOrCap(watch: FolderWatch): Promise<void> {
    const cap = new AbortController();
    const timedOut = this.ports.clock.sleep(READY_CAP_MS, cap.signal).then(
      () => true,
      () => false,
    );
    const slow = await Promise.race([watch.ready.then(() => false), timedOut]);
    cap.abort();
    if (slow) this.ports.log.warn(this.where, 'Watcher is slow to start; the rescan covers the gap');
  }
}
