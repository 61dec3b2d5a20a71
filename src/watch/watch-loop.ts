import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { InboxFolder } from './inbox-folder.js';
import type { WatchTiming } from './watch-timing.js';

export interface WatchLoop {
  /** Ends the loop: a running pass stops at its next check. Resolves once it has. */
  stop(): Promise<void>;
}

export interface WatchLoopDeps {
  clock: Clock;
  log: Logger;
  timing: WatchTiming;
  folders: () => InboxFolder[];
  /** Runs each pass in turn with folder changes and shutdown. */
  serial: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * The watcher's heartbeat, timed by the injected clock: every tick each present inbox gets a pass
 * (new folders scanned, settled files handed over); every `presenceMs` each inbox is checked for
 * being there; every `rescanMs` each is listed in full.
 */
export function watchLoop(deps: WatchLoopDeps): WatchLoop {
  const { clock, log, timing } = deps;
  const controller = new AbortController();
  const { signal } = controller;
  let lastRescan = clock.now();
  let lastPresence = lastRescan;

  async function tick(): Promise<void> {
    const now = clock.now();
    if (now - lastPresence >= timing.presenceMs) {
      lastPresence = now;
      for (const f of deps.folders()) await f.checkPresence();
    }
    const rescanDue = now - lastRescan >= timing.rescanMs;
    if (rescanDue) lastRescan = now;
    for (const f of deps.folders()) {
      if (signal.aborted) return;
      await f.pass(rescanDue, () => signal.aborted);
    }
  }

  /**
   * A tick, or less when a candidate falls due before it: a file is handed over when its window
   * ends, not up to a tick later. A candidate already due waits for the tick as before.
   */
  function nextSleep(): number {
    const now = clock.now();
    let wait = timing.tickMs;
    for (const f of deps.folders()) {
      const due = f.nextDueAt();
      if (due !== undefined && due > now) wait = Math.min(wait, due - now);
    }
    return wait;
  }

  async function run(): Promise<void> {
    while (!signal.aborted) {
      try {
        await clock.sleep(nextSleep(), signal);
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      try {
        await deps.serial(tick);
      } catch (err) {
        log.error({ err }, 'Watch pass failed; trying again');
      }
    }
  }

  const running = run();
  return {
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}
