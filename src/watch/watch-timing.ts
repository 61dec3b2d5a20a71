/** How often the watcher looks at things, all derived from the settle window. */
export interface WatchTiming {
  settleMs: number;
  rescanMs: number;
  emptySettleMs: number;
  /**
   * The settle loop's period: a twentieth of the window, at most 100 ms. A file is seen to change at
   * the first tick after its last write and taken at the first tick a full window after that, so it
   * is taken within the window plus two ticks (0.2 s for the default 2 s). An idle tick costs nothing
   * but a look at an empty candidate list.
   */
  tickMs: number;
  /** How often every inbox is checked for being there (unmounted, deleted, replaced). */
  presenceMs: number;
  /** Polling interval of a polled inbox. */
  pollIntervalMs: number;
}

export interface TimingOptions {
  settleMs?: number;
  rescanMs?: number;
  emptySettleMs?: number;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

export function watchTiming(opts: TimingOptions): WatchTiming {
  const settleMs = opts.settleMs ?? 2000;
  return {
    settleMs,
    rescanMs: opts.rescanMs ?? 60_000,
    emptySettleMs: opts.emptySettleMs ?? settleMs * 10,
    tickMs: clamp(Math.round(settleMs / 20), 25, 100),
    presenceMs: clamp(settleMs * 2, 500, 5000),
    pollIntervalMs: clamp(settleMs, 250, 5000),
  };
}
