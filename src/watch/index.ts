export { createInboxWatcher, type InboxWatcher, type InboxWatcherOptions } from './inbox-watcher.js';
export type { CompleteFile, FolderStatus, FolderWatchState, WatchFolder } from './types.js';
export { isIgnoredRelative } from './ignore-policy.js';
export type { WatchFactory, FolderWatch, FolderWatchHandlers, FolderWatchOptions } from './folder-watch.js';
export { chokidarWatchFactory } from './folder-watch.js';
