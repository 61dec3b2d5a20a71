import type { Stats } from 'node:fs';
import { watch as chokidarWatch } from 'chokidar';

export interface FolderWatchOptions {
  /** Absolute inbox path. */
  root: string;
  poll: boolean;
  /** Polling interval, when polling. */
  intervalMs: number;
  /**
   * Absolute paths (files or folders) the watch should not even look at: no OS watch, no stats kept.
   * Asked once without `stats` and again with them (an lstat) once the entry is known.
   */
  ignored: (path: string, stats?: Pick<Stats, 'isDirectory'>) => boolean;
}

/** What a watch reports. Handlers only record: the settle loop does all the work. */
export interface FolderWatchHandlers {
  /** A file appeared or changed. */
  file(path: string): void;
  /** A folder appeared (for example one moved into the inbox with files already inside). */
  dir(path: string): void;
  error(err: Error): void;
}

export interface FolderWatch {
  /** Resolves once the initial crawl is done and events flow. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The port over the OS watch, so tests can drop events on purpose and prove the rescan finds them. */
export type WatchFactory = (options: FolderWatchOptions, handlers: FolderWatchHandlers) => FolderWatch;

export const chokidarWatchFactory: WatchFactory = (options, handlers) => {
  const watcher = chokidarWatch(options.root, {
    persistent: true,
    // Files present at start are found by our own scan, which runs after `ready`, so nothing falls
    // in the gap, and completeness is judged by the settle loop, never by chokidar's awaitWriteFinish.
    ignoreInitial: true,
    usePolling: options.poll,
    interval: options.intervalMs,
    binaryInterval: options.intervalMs,
    followSymlinks: false,
    atomic: false,
    awaitWriteFinish: false,
    ignorePermissionErrors: true,
    ignored: (path: string, stats?: Stats) => options.ignored(path, stats),
  });
  watcher.on('add', (path) => handlers.file(path));
  watcher.on('change', (path) => handlers.file(path));
  watcher.on('addDir', (path) => handlers.dir(path));
  watcher.on('error', (err) => handlers.error(err instanceof Error ? err : new Error(String(err))));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { ready, close: () => watcher.close() };
};
