import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/core/clock.js';
import { parseFileLock, withFileLock } from '../../../src/core/file-lock.js';

const HOST = 'this-host';
let dir: string;
let lock: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-file-lock-'));
  lock = join(dir, 'x.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock whose sleeps pass at once but count, and move time on by what was asked. */
function countingClock(onSleep: (n: number) => Promise<void> | void = () => undefined) {
  let now = Date.now();
  let sleeps = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps += 1;
      now += ms;
      await onSleep(sleeps);
    },
  };
  return { clock, sleeps: () => sleeps };
}

/** The "is this pid alive" port: a fixed set of live pids, recording each question. */
function pids(alive: number[]) {
  const asked: number[] = [];
  return {
    asked,
    isAlive: (pid: number) => {
      asked.push(pid);
      return alive.includes(pid);
    },
  };
}

const run = (clock: Clock, isAlive: (pid: number) => boolean, extra = {}) =>
  withFileLock(lock, async () => readFile(lock, 'utf8'), {
    clock,
    isAlive,
    hostname: HOST,
    pollMs: 100,
    ...extra,
  });

describe('withFileLock', () => {
  it('holds a lock naming its pid and host while fn runs, and removes it after', async () => {
    const { clock } = countingClock();
    const inside = await run(clock, pids([]).isAlive);
    expect(parseFileLock(inside)).toMatchObject({ pid: process.pid, host: HOST });
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over at once a lock whose pid is not alive on this host (kill -9)', async () => {
    await writeFile(lock, `424242\nhost=${HOST}\nnonce=abc\n`);
    const { clock, sleeps } = countingClock();
    const port = pids([]);
    const inside = await run(clock, port.isAlive);
    expect(parseFileLock(inside)?.pid).toBe(process.pid);
    expect(port.asked).toEqual([424242]);
    expect(sleeps()).toBe(0);
  });

  it('takes over at once a lock in the older pid-only form whose pid is gone', async () => {
    await writeFile(lock, '424242');
    const { clock, sleeps } = countingClock();
    await run(clock, pids([]).isAlive);
    expect(sleeps()).toBe(0);
  });

  it('takes over a lock naming our own pid that this process does not hold (a reused pid)', async () => {
    await writeFile(lock, `${process.pid}\nhost=${HOST}\nnonce=old\n`);
    const { clock, sleeps } = countingClock();
    await run(clock, pids([process.pid]).isAlive);
    expect(sleeps()).toBe(0);
  });

  it('waits for a live holder on this host, and goes in once it releases', async () => {
    await writeFile(lock, `777\nhost=${HOST}\nnonce=live\n`);
    const { clock, sleeps } = countingClock(async (n) => {
      if (n === 3) await unlink(lock);
    });
    const port = pids([777]);
    const inside = await run(clock, port.isAlive);
    expect(parseFileLock(inside)?.pid).toBe(process.pid);
    expect(sleeps()).toBe(3);
    expect(port.asked).toEqual([777, 777, 777]);
  });

  it('does not judge a lock of another host by pid: it waits until the lock is stale by age', async () => {
    await writeFile(lock, `424242\nhost=other-host\nnonce=x\n`);
    const { clock, sleeps } = countingClock();
    const port = pids([]);
    await run(clock, port.isAlive, { staleMs: 1000 });
    expect(port.asked).toEqual([]);
    expect(sleeps()).toBeGreaterThanOrEqual(10);
  });

  it('waits for another holder in the same process, and does not take its lock over', async () => {
    const { clock } = countingClock();
    let releaseFirst!: () => void;
    const firstIn = new Promise<void>((resolve) => {
      void withFileLock(
        lock,
        () => {
          resolve();
          return new Promise<void>((r) => (releaseFirst = r));
        },
        { clock, hostname: HOST },
      );
    });
    await firstIn;
    const waiter = countingClock(async (n) => {
      if (n === 5) releaseFirst();
      await new Promise((r) => setTimeout(r, 5));
    });
    const inside = await run(waiter.clock, pids([process.pid]).isAlive);
    expect(waiter.sleeps()).toBeGreaterThanOrEqual(5);
    expect(parseFileLock(inside)?.pid).toBe(process.pid);
  });
});

describe('parseFileLock', () => {
  it.each([
    ['4242\nhost=box\nnonce=ab12\n', { pid: 4242, host: 'box', nonce: 'ab12' }],
    ['4242\nhost=box\n', { pid: 4242, host: 'box', nonce: undefined }],
    ['4242', { pid: 4242, host: undefined, nonce: undefined }],
    ['4242\nhost=\n', { pid: 4242, host: undefined, nonce: undefined }],
    ['', undefined],
    ['abc\nhost=box\n', undefined],
    ['-3\n', undefined],
    ['1.5\n', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseFileLock(text)).toEqual(expected);
  });
});
