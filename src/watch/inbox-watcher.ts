import { lstat, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { linuxWriters, openForReading } from './file-access.js';
import type { WatchFactory } from './folder-watch.js';
import { InboxFolder, type InboxFolderPorts } from './inbox-folder.js';
import { locateInbox } from './inbox-location.js';
import type { FileProbe } from './inbox-settle.js';
import { inotifyAdvice, readInotifyLimit } from './inotify-limit.js';
import { readSystemMounts, type MountEntry } from './mounts.js';
import { scanFolder } from './scan-folder.js';
import type { CompleteFile, FolderStatus, WatchFolder } from './types.js';
import { renameReadable } from './undecodable-name.js';
import { watchLoop, type WatchLoop } from './watch-loop.js';
import { watchTiming, type WatchTiming } from './watch-timing.js';

export interface InboxWatcherOptions {
  folders: WatchFolder[];
  /** Size, mtime and inode must stay the same this long before a file is taken. Default 2000. */
  settleMs?: number;
  /** Full rescan of every inbox, the safety net for events the OS dropped. Default 60000. */
  rescanMs?: number;
  /** Poll every inbox (config `watch.poll`), for shares we cannot detect. */
  forcePoll?: boolean;
  clock: Clock;
  log: Logger;
  /** The OS watch (chokidarWatchFactory in the daemon; tests drop events on purpose). */
  watchFactory: WatchFactory;
  /**
   * Extra files to leave alone (e.g. names no rule of the folder can take), on top of the built-in
   * ignore policy: they get no OS watch, no stat and no memory. Receives the file's path relative to
   * its inbox with `/` separators (`clip.avi`, `trip/clip.avi`) and the folder's name; asked again on
   * every event and rescan, so an answer that changes (a rule edit) applies from the next rescan.
   * Folders are never passed, so a glob cannot hide a whole subfolder by accident.
   */
  isIgnored?: (rel: string, folder: string) => boolean;
  /** An empty file is handed over (as empty) once it stayed empty this long. Default 10 × settleMs. */
  emptySettleMs?: number;
  /** Linux: also wait while a process of ours holds the file open for writing. Default on Linux. */
  checkWriters?: boolean;
  /** Ports for tests: the mount table and the inotify limit. */
  readMounts?: () => Promise<MountEntry[]>;
  readInotifyLimit?: () => Promise<number | undefined>;
}

export interface InboxWatcher {
  /** Watches every inbox, scans what is already there, and resolves once events flow. */
  start(): Promise<void>;
  /** Applies a new folder list (config reload): unchanged folders keep their watch and memory. */
  setFolders(folders: WatchFolder[]): Promise<void>;
  close(): Promise<void>;
  status(): FolderStatus[];
  /**
   * Forgets that `path` was emitted: the next rescan (or event) offers it again if it is still there.
   * For a consumer that could not take a file it was handed; the rescan period is the natural backoff.
   */
  forget(path: string): void;
}

/**
 * Watches inboxes and calls `onFile` once per complete file version. Events (chokidar add/change, a
 * folder moved in), the scan at start, and the periodic rescan only record candidates; one settle loop,
 * timed by the injected clock, judges each candidate the same way however it was found. The rules
 * it keeps are listed in `src/watch/README.md`.
 */
export function createInboxWatcher(
  opts: InboxWatcherOptions,
  onFile: (file: CompleteFile) => void,
): InboxWatcher {
  const timing = watchTiming(opts);
  const log = opts.log.child({ module: 'watch' });
  return new Inboxes(opts, folderPorts(opts, timing, log, onFile), timing);
}

/** The set of watched inboxes, changed only in turn with the loop's passes. */
class Inboxes implements InboxWatcher {
  private readonly folders = new Map<string, InboxFolder>();
  private readonly serial = serialChain();
  private pendingList: WatchFolder[];
  private loop: WatchLoop | undefined;

  constructor(
    private readonly opts: InboxWatcherOptions,
    private readonly ports: InboxFolderPorts,
    private readonly timing: WatchTiming,
  ) {
    this.pendingList = opts.folders;
  }

  start(): Promise<void> {
    return this.serial(async () => {
      if (this.loop) return;
      for (const folder of this.pendingList) await this.add(folder);
      await this.checkInotify();
      this.loop = watchLoop({
        clock: this.opts.clock,
        log: this.ports.log,
        timing: this.timing,
        folders: () => [...this.folders.values()],
        serial: this.serial,
      });
    });
  }

  setFolders(next: WatchFolder[]): Promise<void> {
    return this.serial(async () => {
      if (!this.loop) {
        this.pendingList = next;
        return;
      }
      const byName = new Map(next.map((folder) => [folder.name, folder]));
      for (const f of [...this.folders.values()]) {
        const n = byName.get(f.name);
        if (n === undefined || resolve(n.inbox) !== f.root) await this.remove(f);
        else await f.update(n);
      }
      for (const folder of next) if (!this.folders.has(folder.name)) await this.add(folder);
      await this.checkInotify();
    });
  }

  async close(): Promise<void> {
    await this.loop?.stop();
    await this.serial(async () => {
      for (const f of [...this.folders.values()]) await this.remove(f);
    });
  }

  forget(path: string): void {
    for (const f of this.folders.values()) f.forgetEmitted(resolve(path));
  }

  status(): FolderStatus[] {
    return [...this.folders.values()].map((f) => f.status());
  }

  private async add(folder: WatchFolder): Promise<void> {
    const f = new InboxFolder(folder, this.ports);
    this.folders.set(folder.name, f);
    await f.checkPresence();
  }

  private async remove(f: InboxFolder): Promise<void> {
    this.folders.delete(f.name);
    await f.close();
  }

  private async checkInotify(): Promise<void> {
    if (process.platform !== 'linux') return;
    let directories = 0;
    for (const f of this.folders.values()) directories += f.nativeDirectories();
    const advice = inotifyAdvice(directories, await this.ports.readInotifyLimit());
    if (advice) {
      this.ports.log.warn(
        { directories: advice.directories, limit: advice.limit, hint: advice.hint },
        'Inboxes are close to the inotify watch limit',
      );
    }
  }
}

/** The real ports every inbox folder uses, built once per watcher. */
function folderPorts(
  opts: InboxWatcherOptions,
  timing: WatchTiming,
  log: Logger,
  onFile: (file: CompleteFile) => void,
): InboxFolderPorts {
  const { clock } = opts;
  const readMounts = opts.readMounts ?? (() => readSystemMounts());
  const checkWriters = opts.checkWriters ?? process.platform === 'linux';
  const probe: FileProbe = {
    stat: (path) => stat(path),
    lstat: (path) => lstat(path),
    writers: (paths) => (checkWriters ? linuxWriters(paths) : Promise.resolve(new Set<string>())),
    openForReading,
  };
  return {
    presence: {
      statDir: (path) => stat(path),
      mountPointOf: async (path) => (await locateInbox(path, readMounts)).mount?.mountPoint,
      clock,
    },
    osWatch: {
      watchFactory: opts.watchFactory,
      readMounts,
      statDir: (path) => stat(path),
      clock,
      forcePoll: opts.forcePoll === true,
      pollIntervalMs: timing.pollIntervalMs,
    },
    settle: { clock, probe, ...timing, onFile },
    scanFolder,
    isIgnored: opts.isIgnored,
    renameReadable,
    readInotifyLimit: opts.readInotifyLimit ?? (() => readInotifyLimit()),
    log,
  };
}

/** Passes, folder changes and shutdown never interleave: each waits for the one before. */
export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

function serialChain(): Serial {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
}
