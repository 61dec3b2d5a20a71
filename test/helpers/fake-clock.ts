import type { Clock } from '../../src/core/clock.js';

export interface FakeClock extends Clock {
  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void;
  /** Sleepers waiting, or only those that asked for exactly `ms` (a loop's tick, not a time-out). */
  waiting(ms?: number): number;
}

export interface FakeClockOptions {
  /** The time `now()` starts at. Default 0. */
  start?: number;
  /** Each `now()` moves time on by this much (1 gives every record its own timestamp). Default 0. */
  step?: number;
}

interface Sleeper {
  at: number;
  ms: number;
  wake: () => void;
}

/** The one fake clock of the suites: time moves only when told; sleepers wake when it reaches them. */
export function fakeClock(opts: FakeClockOptions = {}): FakeClock {
  let t = opts.start ?? 0;
  const step = opts.step ?? 0;
  let sleepers: Sleeper[] = [];
  return {
    now() {
      const now = t;
      t += step;
      return now;
    },
    sleep(ms, signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          return;
        }
        // Like timers/promises: the abort listener goes once the sleeper wakes, so none pile up.
        const onAbort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        };
        const sleeper: Sleeper = {
          at: t + ms,
          ms,
          wake: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    advance(ms) {
      t += ms;
      const due = sleepers.filter((s) => s.at <= t);
      sleepers = sleepers.filter((s) => s.at > t);
      for (const s of due) s.wake();
    },
    waiting: (ms) => (ms === undefined ? sleepers.length : sleepers.filter((s) => s.ms === ms).length),
  };
}
