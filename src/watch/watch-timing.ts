/** How often the watcher looks at things, all derived from the settle window. */
export interface WatchTiming {
  settleMs: number;
  rescanMs: number;
  emptySettleMs: number;
  /** The settle loop's period: a quarter of the window, so a file is taken soon after it settles. */
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
    tickMs: clamp(Math.round(settleMs / 4), 25, 1000),
    presenceMs: clamp(settleMs * 2, 500, 5000),
    pollIntervalMs: clamp(settleMs, 250, 5000),
  };
}
