import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../helpers/fake-clock.js';
import { SettleTracker, type Fingerprint, type SettleVerdict } from '../../../src/watch/settle-policy.js';

const fp = (size: number, mtimeMs = 1, ino = 7): Fingerprint => ({ size, mtimeMs, ino });

/** Each step: advance the clock, observe a fingerprint, expect a verdict. */
type Step = [advanceMs: number, seen: Fingerprint, expected: SettleVerdict];

describe('SettleTracker (settle 1000 ms, empty 10000 ms)', () => {
  it.each<[string, Step[]]>([
    [
      'stable for the window → ready',
      [
        [0, fp(10), 'wait'],
        [500, fp(10), 'wait'],
        [500, fp(10), 'ready'],
      ],
    ],
    [
      'a growing file (slow copy) restarts the window at every change',
      [
        [0, fp(10, 1), 'wait'],
        [900, fp(20, 2), 'wait'],
        [900, fp(30, 3), 'wait'],
        [900, fp(30, 3), 'wait'],
        [100, fp(30, 3), 'ready'],
      ],
    ],
    [
      'same size, new mtime (rewritten in place) restarts the window',
      [
        [0, fp(10, 1), 'wait'],
        [999, fp(10, 2), 'wait'],
        [999, fp(10, 2), 'wait'],
        [1, fp(10, 2), 'ready'],
      ],
    ],
    [
      'same size and mtime but a new inode (replaced by rename) restarts the window',
      [
        [0, fp(10, 1, 1), 'wait'],
        [1000, fp(10, 1, 2), 'wait'],
        [1000, fp(10, 1, 2), 'ready'],
      ],
    ],
    [
      'a zero-byte placeholder waits, then fills and settles as a normal file',
      [
        [0, fp(0), 'wait'],
        [5000, fp(0), 'wait'],
        [100, fp(50, 2), 'wait'],
        [1000, fp(50, 2), 'ready'],
      ],
    ],
    [
      'an empty file stays pending beyond the normal window',
      [
        [0, fp(0), 'wait'],
        [1000, fp(0), 'wait'],
        [8999, fp(0), 'wait'],
      ],
    ],
    [
      'an empty file that stays empty 10× the window is handed over as empty',
      [
        [0, fp(0), 'wait'],
        [10_000, fp(0), 'ready-empty'],
      ],
    ],
    [
      'touching an empty file (new mtime) restarts the empty window',
      [
        [0, fp(0, 1), 'wait'],
        [9000, fp(0, 2), 'wait'],
        [9000, fp(0, 2), 'wait'],
        [1000, fp(0, 2), 'ready-empty'],
      ],
    ],
  ])('%s', (_name, steps) => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    for (const [advance, seen, expected] of steps) {
      clock.advance(advance);
      expect(tracker.observe('/in/a.mov', seen)).toBe(expected);
    }
  });

  it('the window starts at the first observation, not when the event was recorded', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    clock.advance(5000);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('wait');
    clock.advance(1000);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
  });

  it('emits a version once: the same fingerprint found again is dropped as unchanged', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    tracker.observe('/in/a.mov', fp(10));
    clock.advance(1000);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
    tracker.markEmitted('/in/a.mov', fp(10));
    expect(tracker.pendingCount).toBe(0);
    expect(tracker.wasEmitted('/in/a.mov', fp(10))).toBe(true);

    // A racing event or a rescan records it again: it is dropped at once, never emitted twice.
    expect(tracker.add('/in/a.mov')).toBe(true);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('unchanged');
    expect(tracker.has('/in/a.mov')).toBe(false);
  });

  it('a changed version of an emitted file settles and is ready again', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    tracker.markEmitted('/in/a.mov', fp(10, 1));
    expect(tracker.wasEmitted('/in/a.mov', fp(10, 2))).toBe(false);
    tracker.add('/in/a.mov');
    expect(tracker.observe('/in/a.mov', fp(10, 2))).toBe('wait');
    clock.advance(1000);
    expect(tracker.observe('/in/a.mov', fp(10, 2))).toBe('ready');
  });

  it('add() is idempotent while pending: many events for one file keep one candidate and its window', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    expect(tracker.add('/in/a.mov')).toBe(true);
    tracker.observe('/in/a.mov', fp(10));
    clock.advance(600);
    expect(tracker.add('/in/a.mov')).toBe(false);
    clock.advance(400);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
    expect(tracker.pendingCount).toBe(1);
  });

  it('a busy file stays pending, warns once, and is ready again on the next pass', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    tracker.observe('/in/a.mov', fp(10));
    clock.advance(1000);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
    expect(tracker.markBusy('/in/a.mov')).toBe(true);
    clock.advance(250);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
    expect(tracker.markBusy('/in/a.mov')).toBe(false);
    expect(tracker.has('/in/a.mov')).toBe(true);
  });

  it('forgetEmitted() lets the same version be offered again (a consumer that could not take it)', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.markEmitted('/in/a.mov', fp(10));
    expect(tracker.forgetEmitted('/in/a.mov')).toBe(true);
    expect(tracker.wasEmitted('/in/a.mov', fp(10))).toBe(false);
    tracker.add('/in/a.mov');
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('wait');
    clock.advance(1000);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
  });

  it('isDue(): a stable candidate is looked at again only when its window ends; a busy one every window', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov', fp(10));
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    clock.advance(999);
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    clock.advance(1);
    expect(tracker.isDue('/in/a.mov')).toBe(true);
    expect(tracker.observe('/in/a.mov', fp(10))).toBe('ready');
    tracker.markBusy('/in/a.mov');
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    clock.advance(1000);
    expect(tracker.isDue('/in/a.mov')).toBe(true);
    expect(tracker.isDue('/in/unknown.mov')).toBe(false);
  });

  it('touch(): a change event makes a pending file due at once, so its window restarts from its last write', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov', fp(10));
    clock.advance(300);
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    tracker.touch('/in/a.mov'); // the copy wrote more
    expect(tracker.isDue('/in/a.mov')).toBe(true);
    expect(tracker.observe('/in/a.mov', fp(20))).toBe('wait'); // window restarts at t = 300
    clock.advance(999);
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    clock.advance(1);
    expect(tracker.observe('/in/a.mov', fp(20))).toBe('ready');
    tracker.touch('/in/unknown.mov');
    expect(tracker.has('/in/unknown.mov')).toBe(false);
  });

  it('an empty candidate is looked at every window (to see it fill), and at the end of the empty window', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 2500 });
    tracker.add('/in/e.mov', fp(0));
    clock.advance(1000);
    expect(tracker.isDue('/in/e.mov')).toBe(true);
    expect(tracker.observe('/in/e.mov', fp(0))).toBe('wait');
    clock.advance(1000);
    expect(tracker.observe('/in/e.mov', fp(0))).toBe('wait');
    clock.advance(499);
    expect(tracker.isDue('/in/e.mov')).toBe(false);
    clock.advance(1);
    expect(tracker.isDue('/in/e.mov')).toBe(true);
    expect(tracker.observe('/in/e.mov', fp(0))).toBe('ready-empty');
  });

  it('a candidate recorded by an event (no fingerprint yet) is due at once', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/a.mov');
    expect(tracker.isDue('/in/a.mov')).toBe(true);
  });

  it('forget() drops a candidate; pruneEmitted() forgets versions of files no longer present', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    tracker.add('/in/gone.mov');
    tracker.forget('/in/gone.mov');
    expect(tracker.pendingCount).toBe(0);
    tracker.markEmitted('/in/a.mov', fp(1));
    tracker.markEmitted('/in/b.mov', fp(2));
    tracker.pruneEmitted((p) => p === '/in/b.mov');
    expect(tracker.emittedCount).toBe(1);
    expect(tracker.wasEmitted('/in/b.mov', fp(2))).toBe(true);
    expect(tracker.wasEmitted('/in/a.mov', fp(1))).toBe(false);
  });
  it.each<[string, number, number]>([
    // [what, mtime relative to the look, when it is ready relative to the look]
    ['a write 60 ms before the look: the window starts at the write', -60, 940],
    ['a write exactly one credit before the look', -100, 900],
    ['an older mtime (a copy that kept its date) earns no credit', -5000, 1000],
    ['an mtime after the look (another clock) earns none', 30, 1000],
  ])('%s', (_what, mtimeOffset, readyAfter) => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000, creditMs: 100 });
    tracker.add('/in/a.mov');
    expect(tracker.observe('/in/a.mov', fp(10, 1_000_000 + mtimeOffset))).toBe('wait');
    expect(tracker.nextCheckAt()).toBe(1_000_000 + readyAfter);
    clock.advance(readyAfter - 1);
    expect(tracker.isDue('/in/a.mov')).toBe(false);
    expect(tracker.observe('/in/a.mov', fp(10, 1_000_000 + mtimeOffset))).toBe('wait');
    clock.advance(1);
    expect(tracker.observe('/in/a.mov', fp(10, 1_000_000 + mtimeOffset))).toBe('ready');
  });

  it('nextCheckAt() is the earliest time a pending file is worth a look, none when nothing is pending', () => {
    const clock = fakeClock({ start: 1_000_000 });
    const tracker = new SettleTracker(clock, { settleMs: 1000, emptySettleMs: 10_000 });
    expect(tracker.nextCheckAt()).toBeUndefined();
    tracker.add('/in/a.mov', fp(10));
    clock.advance(300);
    tracker.add('/in/b.mov', fp(20));
    expect(tracker.nextCheckAt()).toBe(1_001_000);
    tracker.touch('/in/b.mov');
    expect(tracker.nextCheckAt()).toBe(1_000_300);
  });
});
