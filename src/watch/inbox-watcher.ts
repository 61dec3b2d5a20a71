import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { linuxWriters, openForReading } from './file-access.js';
import { chokidarWatchFactory, type FolderWatch, type WatchFactory } from './folder-watch.js';
import { isIgnoredRelative } from './ignore-policy.js';
import { inotifyAdvice, raiseLimitHint, readInotifyLimit, suggestedLimit } from './inotify-limit.js';
import { findMount, isNetworkFs, readSystemMounts, type MountEntry } from './mounts.js';
import { MISSING_CODES, presenceVerdict, type InboxIdentity } from './presence-policy.js';
import { outermostFolders, relativeToInbox, scanFolder } from './scan-folder.js';
import { SettleTracker, type Fingerprint } from './settle-policy.js';
import type { CompleteFile, FolderStatus, WatchFolder } from './types.js';
import { escapedName, readableName, renameReadable } from './undecodable-name.js';

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
  /**
   * Extra names to leave alone (e.g. files no rule matches), on top of the built-in ignore policy.
   * Receives the file's path relative to its inbox with `/` separators (`clip.avi`, `trip/clip.avi`);
   * folders are never passed, so a glob cannot hide a whole subfolder by accident.
   */
  isIgnored?: (name: string) => boolean;
  /** An empty file is handed over (as empty) once it stayed empty this long. Default 10 × settleMs. */
  emptySettleMs?: number;
  /** Linux: also wait while a process of ours holds the file open for writing. Default on Linux. */
  checkWriters?: boolean;
  /** Ports for tests: the OS watch, the mount table and the inotify limit. */
  watchFactory?: WatchFactory;
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

interface FolderState {
  folder: WatchFolder;
  root: string;
  tracker: SettleTracker;
  present: boolean;
  /** A missing-inbox warning was given and no "back" has followed yet. */
  missingWarned: boolean;
  identity: InboxIdentity | undefined;
  mode: 'native' | 'polling';
  /** Native watching failed for lack of watches (ENOSPC): this folder polls from now on. */
  pollFallback: boolean;
  /** The error code that calls for the switch to polling, until the next pass makes it. */
  needsFallback: string | undefined;
  needsRescan: boolean;
  watch: FolderWatch | undefined;
  /** Bumped whenever the watch is replaced, so events from an old one are ignored. */
  generation: number;
  dirsToScan: Set<string>;
  directories: number;
  /** The inbox could not be listed and we said so; reset once it can. */
  unlistableWarned: boolean;
  /** A stat of the inbox still running (a hung share): never stack a second one on the thread pool. */
  statInFlight: Promise<Stats> | undefined;
  closed: boolean;
}

const READY_CAP_MS = 30_000;
// A hard-mounted share that stops answering blocks stat forever; past this the inbox counts as missing.
const PRESENCE_TIMEOUT_MS = 15_000;

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
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
  const settleMs = opts.settleMs ?? 2000;
  const rescanMs = opts.rescanMs ?? 60_000;
  const emptySettleMs = opts.emptySettleMs ?? settleMs * 10;
  const tickMs = clamp(Math.round(settleMs / 4), 25, 1000);
  const presenceMs = clamp(settleMs * 2, 500, 5000);
  const pollIntervalMs = clamp(settleMs, 250, 5000);
  const { clock } = opts;
  const log = opts.log.child({ module: 'watch' });
  const watchFactory = opts.watchFactory ?? chokidarWatchFactory;
  const readMounts = opts.readMounts ?? (() => readSystemMounts());
  const readLimit = opts.readInotifyLimit ?? (() => readInotifyLimit());
  const checkWriters = opts.checkWriters ?? process.platform === 'linux';

  const folders = new Map<string, FolderState>();
  const undecodableWarned = new Set<string>();
  let pendingList = opts.folders;
  const controller = new AbortController();
  let started = false;
  let loop: Promise<void> | undefined;
  let lastRescan = 0;
  let lastPresence = 0;

  // Passes, folder changes and shutdown never interleave: each waits for the one before.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function acceptsFile(f: FolderState, path: string): boolean {
    const rel = relativeToInbox(f.root, path);
    if (rel === '' || rel.startsWith('..')) return false;
    return !isIgnoredRelative(rel) && !(opts.isIgnored?.(rel) ?? false);
  }

  function record(f: FolderState, path: string): void {
    if (!f.closed && acceptsFile(f, path)) f.tracker.add(path);
  }

  /** The inbox with symlinks resolved (a symlinked inbox is common: `~/Videos/inbox -> /mnt/nas/…`). */
  async function realRoot(f: FolderState): Promise<string> {
    try {
      return await realpath(f.root);
    } catch {
      return f.root; // The mount lookup is a hint and the watch will report the problem itself.
    }
  }

  async function mountOf(f: FolderState): Promise<MountEntry | undefined> {
    return findMount(await realRoot(f), await readMounts());
  }

  async function openWatch(f: FolderState): Promise<void> {
    // chokidar does not follow a symlinked root (followSymlinks is off, to avoid loops), so it watches
    // the real folder and its paths are mapped back under the inbox path the config names.
    const real = await realRoot(f);
    const toInbox = (path: string) => (real === f.root ? path : join(f.root, relative(real, path)));
    const mount = findMount(real, await readMounts());
    const network = mount !== undefined && isNetworkFs(mount);
    const poll = opts.forcePoll === true || f.folder.poll === true || network || f.pollFallback;
    f.mode = poll ? 'polling' : 'native';
    const st = await stat(f.root);
    f.identity = { dev: st.dev, ino: st.ino, mountPoint: mount?.mountPoint };
    if (network && !opts.forcePoll && !f.folder.poll) {
      log.info(
        { folder: f.folder.name, inbox: f.root, fsType: mount?.fsType },
        'Inbox is on a network share; polling it',
      );
    }
    const gen = ++f.generation;
    const current = () => f.generation === gen && !f.closed;
    const watch = watchFactory(
      {
        root: real,
        poll,
        intervalMs: pollIntervalMs,
        ignored: (path) => {
          const rel = relativeToInbox(real, path);
          return rel !== '' && !rel.startsWith('..') && isIgnoredRelative(rel);
        },
      },
      {
        file: (path) => {
          if (!current()) return;
          // A name that is not valid UTF-8 arrives mangled (U+FFFD); its folder's scan finds the bytes.
          if (path.includes('\uFFFD')) f.dirsToScan.add(dirname(toInbox(path)));
          else record(f, toInbox(path));
        },
        dir: (path) => {
          if (current()) f.dirsToScan.add(toInbox(path));
        },
        error: (err) => {
          if (current()) onWatchError(f, err);
        },
      },
    );
    f.watch = watch;
    const cap = new AbortController();
    const timedOut = clock.sleep(READY_CAP_MS, cap.signal).then(
      () => true,
      () => false,
    );
    const slow = await Promise.race([watch.ready.then(() => false), timedOut]);
    cap.abort();
    if (slow)
      log.warn(
        { folder: f.folder.name, inbox: f.root },
        'Watcher is slow to start; the rescan covers the gap',
      );
  }

  async function closeWatch(f: FolderState): Promise<void> {
    f.generation += 1;
    const watch = f.watch;
    f.watch = undefined;
    try {
      await watch?.close();
    } catch (err) {
      log.debug({ folder: f.folder.name, code: errCode(err) }, 'Closing a watch failed');
    }
  }

  function onWatchError(f: FolderState, err: Error): void {
    const code = errCode(err);
    if ((code === 'ENOSPC' || code === 'EMFILE') && f.mode === 'native') {
      f.needsFallback = code;
      return;
    }
    log.warn(
      { folder: f.folder.name, inbox: f.root, code, err: err.message },
      'Watcher error; the rescan keeps finding files',
    );
  }

  async function fallbackToPolling(f: FolderState, code: string): Promise<void> {
    const limit = await readLimit();
    log.warn(
      {
        folder: f.folder.name,
        inbox: f.root,
        code,
        limit,
        hint: raiseLimitHint(suggestedLimit(f.directories, limit)),
      },
      'Out of inotify watches; polling this inbox instead',
    );
    f.pollFallback = true;
    await reopen(f);
  }

  /** Replaces the folder's watch and rescans it, so nothing dropped meanwhile is missed. */
  async function reopen(f: FolderState): Promise<void> {
    await closeWatch(f);
    try {
      await openWatch(f);
    } catch (err) {
      await goMissing(f, errCode(err));
      return;
    }
    await rescan(f, f.root);
  }

  async function rescan(f: FolderState, dir: string): Promise<void> {
    const result = await scanFolder(f.root, dir, isIgnoredRelative);
    for (const entry of result.undecodable) await makeReadable(f, entry.dir, entry.raw);
    const seen = new Set<string>();
    for (const { path, fp } of result.files) {
      if (!acceptsFile(f, path)) continue;
      seen.add(path);
      if (!f.tracker.wasEmitted(path, fp)) f.tracker.add(path, fp);
    }
    if (dir === f.root) {
      if (result.error !== undefined && !f.unlistableWarned) {
        log.warn(
          { folder: f.folder.name, inbox: f.root, code: result.error },
          'Cannot list the inbox; check its permissions',
        );
      }
      f.unlistableWarned = result.error !== undefined;
      f.directories = result.directories;
      // Forget emitted versions only on a complete listing of the same, present inbox: an unreadable
      // or just-unmounted share (its bare, empty mount point) must never look like "those files are gone".
      if (result.complete && f.present && (await sameInbox(f)))
        f.tracker.pruneEmitted((path) => seen.has(path));
    }
  }

  /**
   * A name that is not valid UTF-8 cannot be handed on (paths are strings), and used to be skipped
   * without a word. It is renamed to a readable name (Latin-1 bytes read as such) and taken; if it
   * cannot be renamed, that is said once, with what to do.
   */
  async function makeReadable(f: FolderState, dir: string, raw: Buffer): Promise<void> {
    const wanted = join(dir, readableName(raw));
    if (isIgnoredRelative(relativeToInbox(f.root, wanted))) return;
    const from = escapedName(raw);
    const renamed = await renameReadable(dir, raw);
    if (renamed.ok) {
      log.info(
        { folder: f.folder.name, dir, from, to: renamed.path },
        'Renamed a file whose name is not valid UTF-8, so it can be converted',
      );
      f.dirsToScan.add(dir);
      return;
    }
    const key = `${dir}\0${raw.toString('hex')}`;
    if (undecodableWarned.has(key)) return;
    undecodableWarned.add(key);
    log.warn(
      { folder: f.folder.name, dir, name: from, code: renamed.code },
      'A file name is not valid UTF-8 and could not be renamed; rename it (e.g. to plain letters) to have it converted',
    );
  }

  async function sameInbox(f: FolderState): Promise<boolean> {
    try {
      const st = await statInbox(f);
      return f.identity !== undefined && st.dev === f.identity.dev && st.ino === f.identity.ino;
    } catch {
      return false;
    }
  }

  async function goMissing(f: FolderState, code: string): Promise<void> {
    if (f.present || !f.missingWarned) {
      log.warn(
        { folder: f.folder.name, inbox: f.root, code },
        'Inbox is missing; waiting for it to come back (nothing in it is treated as deleted)',
      );
    }
    f.present = false;
    f.missingWarned = true;
    await closeWatch(f);
  }

  async function comeBack(f: FolderState): Promise<void> {
    try {
      await openWatch(f);
    } catch (err) {
      await goMissing(f, errCode(err));
      return;
    }
    f.present = true;
    if (f.missingWarned) log.info({ folder: f.folder.name, inbox: f.root }, 'Inbox is back; rescanning');
    f.missingWarned = false;
    await rescan(f, f.root);
  }

  async function statInbox(f: FolderState): Promise<Stats> {
    f.statInFlight ??= stat(f.root).finally(() => {
      f.statInFlight = undefined;
    });
    const cap = new AbortController();
    const timeout = clock.sleep(PRESENCE_TIMEOUT_MS, cap.signal).then(
      () => {
        throw Object.assign(new Error('The inbox did not answer'), { code: 'ETIMEDOUT' });
      },
      () => new Promise<never>(() => undefined),
    );
    try {
      return await Promise.race([f.statInFlight, timeout]);
    } finally {
      cap.abort();
    }
  }

  async function stillUnmounted(f: FolderState, st: Stats): Promise<boolean> {
    const before = f.identity;
    if (before === undefined || before.dev === st.dev) return false;
    const mount = await mountOf(f);
    return (
      presenceVerdict(before, { dev: st.dev, ino: st.ino, mountPoint: mount?.mountPoint }) === 'unmounted'
    );
  }

  /** Returns whether the inbox is present after the check. */
  async function checkPresence(f: FolderState): Promise<boolean> {
    let st;
    try {
      st = await statInbox(f);
    } catch (err) {
      if (!MISSING_CODES.has(errCode(err))) {
        log.warn({ folder: f.folder.name, inbox: f.root, code: errCode(err) }, 'Cannot check the inbox');
      }
      await goMissing(f, errCode(err));
      return false;
    }
    if (!st.isDirectory()) {
      await goMissing(f, 'ENOTDIR');
      return false;
    }
    if (!f.present) {
      // A share still unmounted shows its bare mount point: that is not the inbox coming back.
      if (await stillUnmounted(f, st)) return false;
      await comeBack(f);
      return f.present;
    }
    const before = f.identity;
    if (before !== undefined && (before.dev !== st.dev || before.ino !== st.ino)) {
      const mount = await mountOf(f);
      const verdict = presenceVerdict(before, { dev: st.dev, ino: st.ino, mountPoint: mount?.mountPoint });
      if (verdict === 'unmounted') {
        await goMissing(f, 'UNMOUNTED');
        return false;
      }
      log.info({ folder: f.folder.name, inbox: f.root }, 'Inbox folder was replaced; watching the new one');
      await reopen(f);
    }
    return f.present;
  }

  function emit(f: FolderState, path: string, fp: Fingerprint): void {
    f.tracker.markEmitted(path, fp);
    try {
      onFile({ folder: f.folder.name, path, size: fp.size, mtimeMs: fp.mtimeMs, ino: fp.ino });
    } catch (err) {
      log.error({ folder: f.folder.name, file: path, err }, 'Handling a complete file failed');
    }
  }

  async function settle(f: FolderState): Promise<void> {
    const ready: { path: string; fp: Fingerprint; empty: boolean }[] = [];
    for (const path of f.tracker.pendingPaths()) {
      if (controller.signal.aborted || f.closed || !f.present) return;
      if (!f.tracker.isDue(path)) continue;
      let st;
      try {
        st = await stat(path);
      } catch (err) {
        // Gone: moved away or deleted, unless the whole inbox went (then keep waiting for it).
        if (MISSING_CODES.has(errCode(err))) {
          if (!(await checkPresence(f))) return;
          f.tracker.forget(path);
        }
        continue;
      }
      if (!st.isFile()) {
        f.tracker.forget(path);
        continue;
      }
      const fp = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
      const verdict = f.tracker.observe(path, fp);
      if (verdict === 'ready' || verdict === 'ready-empty')
        ready.push({ path, fp, empty: verdict === 'ready-empty' });
    }
    if (ready.length === 0) return;
    const writers = checkWriters ? await linuxWriters(ready.map((r) => r.path)) : new Set<string>();
    for (const { path, fp, empty } of ready) {
      const open = writers.has(path)
        ? { ok: false as const, code: 'OPEN_FOR_WRITING' }
        : await openForReading(path);
      if (!open.ok) {
        if (f.tracker.markBusy(path)) {
          log.info(
            { folder: f.folder.name, file: path, code: open.code },
            'File is complete but still busy; waiting',
          );
        }
        continue;
      }
      if (controller.signal.aborted || f.closed) return;
      if (empty)
        log.info({ folder: f.folder.name, file: path }, 'File stayed empty; handing it over as empty');
      emit(f, path, fp);
    }
  }

  async function checkInotify(): Promise<void> {
    if (process.platform !== 'linux') return;
    let directories = 0;
    for (const f of folders.values()) if (f.present && f.mode === 'native') directories += f.directories;
    const advice = inotifyAdvice(directories, await readLimit());
    if (advice) {
      log.warn(
        { directories: advice.directories, limit: advice.limit, hint: advice.hint },
        'Inboxes are close to the inotify watch limit',
      );
    }
  }

  async function addFolder(folder: WatchFolder): Promise<void> {
    const f: FolderState = {
      folder,
      root: resolve(folder.inbox),
      tracker: new SettleTracker(clock, { settleMs, emptySettleMs }),
      present: false,
      missingWarned: false,
      identity: undefined,
      mode: 'native',
      pollFallback: false,
      needsFallback: undefined,
      needsRescan: false,
      watch: undefined,
      generation: 0,
      dirsToScan: new Set(),
      directories: 0,
      unlistableWarned: false,
      statInFlight: undefined,
      closed: false,
    };
    folders.set(folder.name, f);
    await checkPresence(f);
  }

  async function removeFolder(f: FolderState): Promise<void> {
    f.closed = true;
    folders.delete(f.folder.name);
    await closeWatch(f);
  }

  async function tick(): Promise<void> {
    const now = clock.now();
    if (now - lastPresence >= presenceMs) {
      lastPresence = now;
      for (const f of folders.values()) await checkPresence(f);
    }
    const rescanDue = now - lastRescan >= rescanMs;
    if (rescanDue) lastRescan = now;
    for (const f of [...folders.values()]) {
      if (controller.signal.aborted) return;
      if (!f.present || f.closed) continue;
      if (f.needsFallback !== undefined) {
        const code = f.needsFallback;
        f.needsFallback = undefined;
        await fallbackToPolling(f, code);
      }
      const dirs = outermostFolders([...f.dirsToScan]);
      f.dirsToScan.clear();
      for (const dir of dirs) await rescan(f, dir);
      if (rescanDue || f.needsRescan) {
        f.needsRescan = false;
        await rescan(f, f.root);
      }
      await settle(f);
    }
  }

  async function runLoop(): Promise<void> {
    const { signal } = controller;
    while (!signal.aborted) {
      try {
        await clock.sleep(tickMs, signal);
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      try {
        await serial(tick);
      } catch (err) {
        log.error({ err }, 'Watch pass failed; trying again');
      }
    }
  }

  return {
    start: () =>
      serial(async () => {
        if (started) return;
        started = true;
        for (const folder of pendingList) await addFolder(folder);
        await checkInotify();
        lastRescan = lastPresence = clock.now();
        loop = runLoop();
      }),

    setFolders: (next) =>
      serial(async () => {
        if (!started) {
          pendingList = next;
          return;
        }
        const byName = new Map(next.map((folder) => [folder.name, folder]));
        for (const f of [...folders.values()]) {
          const n = byName.get(f.folder.name);
          if (n === undefined || resolve(n.inbox) !== f.root) {
            await removeFolder(f);
          } else if ((n.poll === true) !== (f.folder.poll === true)) {
            f.folder = n;
            if (f.present) await reopen(f);
          } else {
            f.folder = n;
          }
        }
        for (const folder of next) if (!folders.has(folder.name)) await addFolder(folder);
        await checkInotify();
      }),

    close: async () => {
      controller.abort();
      await loop;
      await serial(async () => {
        for (const f of [...folders.values()]) await removeFolder(f);
      });
    },

    forget: (path) => {
      for (const f of folders.values()) f.tracker.forgetEmitted(resolve(path));
    },

    status: () =>
      [...folders.values()].map((f) => ({
        folder: f.folder.name,
        state: !f.present ? 'missing' : f.mode === 'polling' ? 'polling' : 'watching',
        pending: f.tracker.pendingCount,
      })),
  };
}
