import { spawn, type ChildProcess } from 'node:child_process';
import { systemClock } from '../../../src/core/clock.js';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VideoInboxError } from '../../../src/core/errors.js';
import { acquireLock, LOCK_FILE, readLockOwner } from '../../../src/jobs/lock.js';

let stateDir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'vi-lock-')), 'state');
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(join(stateDir, '..'), { recursive: true, force: true });
});

/** A live process that is not us, whose pid we can put in a lock file. */
async function liveChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child;
}

async function startTimeOf(pid: number): Promise<string> {
  if (process.platform !== 'linux') return '';
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

async function lockError(promise: Promise<unknown>): Promise<VideoInboxError> {
  try {
    await promise;
  } catch (err) {
    return err as VideoInboxError;
  }
  throw new Error('expected LOCKED');
}

describe('acquireLock', () => {
  it('creates the state dir and a lock file holding our pid; release removes it', async () => {
    const lock = await acquireLock(stateDir, { clock: systemClock });
    const text = await readFile(join(stateDir, LOCK_FILE), 'utf8');
    expect(text.split('\n')[0]).toBe(String(process.pid));
    expect((await readLockOwner(stateDir))?.pid).toBe(process.pid);
    await lock.release();
    await expect(stat(join(stateDir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await lock.release(); // twice is harmless
  });

  it('two daemons cannot share one state dir: the second gets LOCKED naming the first pid, until release', async () => {
    const first = await acquireLock(stateDir, { clock: systemClock });
    const err = await lockError(acquireLock(stateDir, { clock: systemClock }));
    expect(err).toBeInstanceOf(VideoInboxError);
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.hint).toMatch(/stop the other/i);
    await first.release();
    const second = await acquireLock(stateDir, { clock: systemClock });
    await second.release();
  });

  it('a lock held by another live process is respected', async () => {
    const child = await liveChild();
    await acquireLock(stateDir, { clock: systemClock }).then((l) => l.release()); // creates the dir
    await writeFile(join(stateDir, LOCK_FILE), `${child.pid}\nstart=${await startTimeOf(child.pid!)}\n`);
    const err = await lockError(acquireLock(stateDir, { clock: systemClock }));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`pid ${child.pid}`);
    expect(err.context.pid).toBe(child.pid);
  });

  it('a stale lock (its process has died) is taken over', async () => {
    const child = await liveChild();
    const pid = child.pid!;
    const start = await startTimeOf(pid);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await acquireLock(stateDir, { clock: systemClock }).then((l) => l.release());
    await writeFile(join(stateDir, LOCK_FILE), `${pid}\nstart=${start}\n`);
    expect(await readLockOwner(stateDir)).toBeUndefined();
    const lock = await acquireLock(stateDir, { clock: systemClock });
    expect((await readFile(join(stateDir, LOCK_FILE), 'utf8')).split('\n')[0]).toBe(String(process.pid));
    await lock.release();
  });

  it.runIf(process.platform === 'linux')(
    'a lock whose pid now belongs to another program (after a reboot) is stale',
    async () => {
      const child = await liveChild();
      await acquireLock(stateDir, { clock: systemClock }).then((l) => l.release());
      await writeFile(join(stateDir, LOCK_FILE), `${child.pid}\nstart=1\n`);
      const lock = await acquireLock(stateDir, { clock: systemClock });
      await lock.release();
    },
  );

  it('an unreadable lock is left alone while fresh (maybe being written) and taken over once old', async () => {
    await acquireLock(stateDir, { clock: systemClock }).then((l) => l.release());
    const path = join(stateDir, LOCK_FILE);
    await writeFile(path, '');
    expect((await lockError(acquireLock(stateDir, { clock: systemClock }))).code).toBe('LOCKED');
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const lock = await acquireLock(stateDir, { clock: systemClock });
    await lock.release();
  });
});
