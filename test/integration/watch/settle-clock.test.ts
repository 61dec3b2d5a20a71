import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { createInboxWatcher, type InboxWatcher } from '../../../src/watch/inbox-watcher.js';
import type { CompleteFile } from '../../../src/watch/types.js';
import { chokidarWatchFactory } from '../../../src/watch/folder-watch.js';
import { fakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from './harness.js';

const SETTLE = 1000;
const TICK = SETTLE / 4;

describe('the real watcher keeps time only by its injected clock', () => {
  let dir: string;
  let clock: FakeClock;
  let watcher: InboxWatcher;
  let emitted: CompleteFile[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vi-clock-'));
    await mkdir(join(dir, 'inbox'));
    clock = fakeClock();
    emitted = [];
    watcher = createInboxWatcher(
      {
        folders: [{ name: 'main', inbox: join(dir, 'inbox') }],
        settleMs: SETTLE,
        rescanMs: 3_600_000,
        checkWriters: false,
        clock,
        log: silentLogger(),
        watchFactory: chokidarWatchFactory,
      },
      (f) => emitted.push(f),
    );
  });

  afterEach(async () => {
    await watcher.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Moves the clock one tick and waits (in real time) until that pass has finished. */
  async function tick(times = 1): Promise<void> {
    for (let i = 0; i < times; i += 1) {
      await waitFor(() => clock.waiting(TICK) > 0, 'the loop to sleep');
      clock.advance(TICK);
      await waitFor(() => clock.waiting(TICK) > 0, 'the pass to finish');
    }
  }

  it('a complete file is taken exactly when it has been stable for settleMs of clock time', async () => {
    await writeFile(join(dir, 'inbox', 'a.mov'), 'data');
    await watcher.start(); // the start-up scan is the first observation, at t = 0
    await tick(3); // t = 750
    expect(emitted).toEqual([]);
    expect(watcher.status()[0]?.pending).toBe(1);
    await tick(); // t = 1000: stable for settleMs
    expect(emitted.map((f) => f.size)).toEqual([4]);
    await tick(8);
    expect(emitted).toHaveLength(1);
  });

  it('an empty file is handed over only after 10 × settleMs of clock time, however much real time passes', async () => {
    await writeFile(join(dir, 'inbox', 'empty.mov'), '');
    await watcher.start(); // first observation at t = 0
    await tick(39); // stable 9750 ms
    expect(emitted).toEqual([]);
    expect(watcher.status()[0]?.pending).toBe(1);
    await tick();
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.size).toBe(0);
  });

  it('a write during the window restarts it', async () => {
    const path = join(dir, 'inbox', 'b.mov');
    await writeFile(path, 'one');
    await watcher.start();
    await tick(3);
    await writeFile(path, 'one two');
    await tick(4); // the change is seen at the end of the first window (t = 1000): 750 ms stable since
    expect(emitted).toEqual([]);
    await tick(1);
    expect(emitted.map((f) => f.size)).toEqual([7]);
  });
});
