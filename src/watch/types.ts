/** One watched inbox, as the config names it. `poll` forces polling (e.g. a share we cannot detect). */
export interface WatchFolder {
  name: string;
  inbox: string;
  poll?: boolean;
}

/**
 * A file the watcher judged complete: its size, mtime and inode were stable for the settle window and
 * it could be opened for reading. `size` 0 means it stayed empty far beyond the window (see
 * `emptySettleMs`): the pipeline sets it aside as empty rather than waiting forever.
 */
export interface CompleteFile {
  /** The WatchFolder's `name`. */
  folder: string;
  /** Absolute path of the file inside the inbox. */
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export type FolderWatchState = 'watching' | 'polling' | 'missing';

export interface FolderStatus {
  folder: string;
  state: FolderWatchState;
  /** Candidates seen but not yet judged complete. */
  pending: number;
}
