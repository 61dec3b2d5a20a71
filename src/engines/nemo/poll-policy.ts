/**
 * Delay before render poll number `n` (0-based): starts at `initialMs` (the vendor CLI's 2 s) and
 * grows by half each time up to the configured steady interval (`pollSeconds`, the seeds' 30 s).
 */
export function pollDelayMs(n: number, initialMs: number, steadyMs: number): number {
  const start = Math.min(initialMs, steadyMs);
  return Math.min(steadyMs, Math.round(start * 1.5 ** Math.max(0, n)));
}

/** A fresh client-chosen render id: `render_<ts>_<random>`, unique even for renders in one ms. */
export function newRenderId(now: number, random: () => number = Math.random): string {
  const suffix = Math.floor(random() * 36 ** 8)
    .toString(36)
    .padStart(8, '0');
  return `render_${now}_${suffix}`;
}
