import type { Config, FolderConfig } from '../config/config.js';
import type { Stage } from '../engines/stage-limits.js';
import type { WatchFolder } from '../watch/types.js';

/** Config `limits` as the cloud engine's per-stage bounds (downloads ride on the job limit). */
export function stageLimitsOf(c: Config): Partial<Record<Stage, number>> {
  return { upload: c.limits.uploads, sse: c.limits.sse, poll: c.limits.polls };
}

/** A configured folder as the watcher sees it. */
export function watchFolder(f: FolderConfig): WatchFolder {
  return { name: f.name, inbox: f.inbox, poll: f.poll };
}
