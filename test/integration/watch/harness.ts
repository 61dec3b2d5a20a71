import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.js';
import { captureLog } from '../../helpers/capture-log.js';
import {
  createInboxWatcher,
  type InboxWatcher,
  type InboxWatcherOptions,
} from '../../../src/watch/inbox-watcher.js';
import type { CompleteFile } from '../../../src/watch/types.js';
import { chokidarWatchFactory, type WatchFactory } from '../../../src/watch/folder-watch.js';

export const SETTLE_MS = 300;

export interface Harness {
  root: string;
  inbox: string;
  watcher: InboxWatcher;
  emitted: CompleteFile[];
  /** Paths emitted, relative to the inbox, in order. */
  names(): string[];
  logs: ReturnType<typeof captureLog>;
}

const open: { watcher: InboxWatcher; root: string }[] = [];

/** A real watcher on a fresh temp inbox (or `inboxes`), settle 300 ms, collecting what it emits. */
export async function makeHarness(
  extra: Partial<InboxWatcherOptions> & { watchFactory?: WatchFactory } = {},
  onFile?: (file: CompleteFile) => void,
): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), 'vi-watch-'));
  const inbox = join(root, 'inbox');
  const emitted: CompleteFile[] = [];
  const logs = captureLog('debug');
  const watcher = createInboxWatcher(
    {
      folders: [{ name: 'main', inbox }],
      settleMs: SETTLE_MS,
      rescanMs: 600_000,
      clock: systemClock,
      log: logs.log,
      ...extra,
      watchFactory: extra.watchFactory ?? chokidarWatchFactory,
    },
    (file) => {
      emitted.push(file);
      onFile?.(file);
    },
  );
  open.push({ watcher, root });
  return {
    root,
    inbox,
    watcher,
    emitted,
    names: () => emitted.map((f) => f.path.slice(inbox.length + 1)),
    logs,
  };
}

export async function closeHarnesses(): Promise<void> {
  for (const { watcher, root } of open.splice(0)) {
    await watcher.close();
    await rm(root, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling); fails with `what` after a generous timeout. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for: ${what}`);
    await sleep(25);
  }
}

/** Lets several settle windows pass, so a wrong second emission would have happened by now. */
export const quiet = () => sleep(SETTLE_MS * 4);
