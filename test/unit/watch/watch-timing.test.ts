import { describe, expect, it } from 'vitest';
import { watchTiming } from '../../../src/watch/watch-timing.js';

describe('watch timing follows the settle window, within sane bounds', () => {
  it.each([
    // settleMs, tickMs, presenceMs, pollIntervalMs
    [2000, 500, 4000, 2000],
    [40, 25, 500, 250],
    [300, 75, 600, 300],
    [60_000, 1000, 5000, 5000],
  ])('settle %i ms → tick %i, presence %i, poll %i', (settleMs, tickMs, presenceMs, pollIntervalMs) => {
    expect(watchTiming({ settleMs })).toMatchObject({ tickMs, presenceMs, pollIntervalMs });
  });

  it('defaults: settle 2 s, rescan every minute, an empty file waits 10 windows', () => {
    expect(watchTiming({})).toMatchObject({ settleMs: 2000, rescanMs: 60_000, emptySettleMs: 20_000 });
    expect(watchTiming({ settleMs: 300 }).emptySettleMs).toBe(3000);
    expect(watchTiming({ settleMs: 300, emptySettleMs: 50, rescanMs: 7 })).toMatchObject({
      emptySettleMs: 50,
      rescanMs: 7,
    });
  });
});
