import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Child,
  distinctVideo,
  distIsFresh,
  drop,
  expectOneRenderEach,
  fateOf,
  killChildren,
  listAll,
  makeBaseVideo,
  makeWorld,
  recordFigures,
  requestTrail,
  runCli,
  sigterm,
  spawnDaemon,
  tempFilesIn,
  waitFor,
  waitForFates,
  type World,
} from './world.js';

/**
 * A real small file system (tmpfs) as the outbox and, separately, as the state dir, filled to the
 * last byte before, during and after a job; space comes back by deleting the filler, and the same
 * daemon (no restart) finishes the job: one output, one render, source archived once, no temp file.
 * Mounting needs root (CI runs as root); without it these tests are skipped and say so.
 */

const IS_ROOT = process.getuid?.() === 0;
const MIB = 1024 * 1024;
/** Big enough for today's free-space margin on the outbox (see the small-outbox test below). */
const OUTBOX_MIB = 200;
const STATE_MIB = 8;

const mounted: string[] = [];
const figures = { cases: 0, filled: 0, recoveredWithoutRestart: 0, files: 0, converted: 0, lost: 0 };
let mediaDir: string;
let base: string;

function mountTmpfs(dir: string, mib: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
}

/** Fills the file system holding `dir` to the last byte; returns the filler, whose removal frees it. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, 'filler.bin');
  const handle = await open(path, 'w');
  try {
    for (const size of [MIB, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) await handle.write(chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  figures.filled++;
  return path;
}

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-disk-media-'));
  base = await makeBaseVideo(mediaDir);
});

afterAll(async () => {
  await killChildren();
  // Unmount whatever happened in the tests (lazily, should a file still be open).
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
  await rm(mediaDir, { recursive: true, force: true });
  if (IS_ROOT) await recordFigures('disk', figures);
});

type Mount = 'outbox' | 'state dir';
type Moment = 'before' | 'during' | 'after';

interface Setup {
  w: World;
  child: Child;
  mountPoint: string;
  /** How long a file may take once space is back (a job that met the full disk waits 30 s). */
  finishWithinMs: number;
}

async function setUp(
  mount: Mount,
  opts: { outboxMib?: number; renderPolls?: number; finishWithinMs?: number } = {},
): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-disk-'));
  const mountPoint = join(dir, mount === 'outbox' ? 'outbox' : 'state');
  await mkdir(mountPoint);
  mountTmpfs(mountPoint, mount === 'outbox' ? (opts.outboxMib ?? OUTBOX_MIB) : STATE_MIB);
  const w = await makeWorld(
    {
      engine: 'nemo',
      requestTimeoutSeconds: 5,
      ...(mount === 'outbox' ? { outbox: mountPoint } : { stateDir: mountPoint }),
    },
    { renderPolls: opts.renderPolls ?? 3 },
  );
  const child = spawnDaemon(w);
  await child.waitForLog('Watching inboxes');
  return { w, child, mountPoint, finishWithinMs: opts.finishWithinMs ?? 120_000 };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  if (s.child.proc.exitCode === null && s.child.proc.signalCode === null) await sigterm(s.child);
  await s.w.close();
  const i = mounted.indexOf(s.mountPoint);
  if (i >= 0) {
    execFileSync('umount', ['-l', s.mountPoint], { stdio: 'pipe' });
    mounted.splice(i, 1);
  }
}

function outboxOf(s: Setup, mount: Mount): string {
  return mount === 'outbox' ? s.mountPoint : s.w.outbox;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `video-inbox status --json` still answers (the journal is readable), whatever the disk. */
async function statusWorks(w: World): Promise<void> {
  const res = await runCli(w, ['status', '--json', '--config', w.configPath]);
  expect(res.code, res.stderr).toBe(0);
  expect(() => JSON.parse(res.stdout) as unknown).not.toThrow();
}

/**
 * While full: the file is neither lost nor given up (still in the inbox, nothing in _failed/), and
 * nothing half-written is left in the outbox; the same daemon keeps running.
 */
async function expectWaiting(s: Setup, mount: Mount, name: string, done: string[] = []): Promise<void> {
  const fate = await fateOf({ inbox: s.w.inbox, outbox: outboxOf(s, mount) }, name);
  const log = s.child.lines.slice(-10).join('\n');
  expect(fate.kind, `${name}\n${log}`).toBe('pending');
  expect(await listAll(join(s.w.inbox, '_failed'))).toEqual([]);
  expect((await listAll(outboxOf(s, mount))).filter((n) => n.endsWith('.mp4'))).toEqual(done);
  expect(s.child.proc.exitCode, 'the daemon is still running').toBeNull();
}

async function expectFinished(s: Setup, mount: Mount, names: string[]): Promise<void> {
  const folders = { inbox: s.w.inbox, outbox: outboxOf(s, mount) };
  let fates;
  try {
    fates = await waitForFates(folders, names, s.finishWithinMs);
  } catch (err) {
    const log = s.child.lines.slice(-8).join('\n');
    throw new Error(`${(err as Error).message}\nrequests: ${requestTrail(s.w.emu.requests)}\n${log}`);
  }
  for (const n of names) {
    figures.files++;
    if (fates[n]?.kind === 'converted') figures.converted++;
    else if (fates[n]?.kind !== 'set-aside') figures.lost++;
    expect(fates[n], n).toMatchObject({ kind: 'converted', archived: 1 });
  }
  expectOneRenderEach(s.w.emu.requests, names);
  expect(await tempFilesIn(outboxOf(s, mount), mount === 'state dir' ? s.mountPoint : s.w.stateDir)).toEqual(
    [],
  );
  expect(s.child.proc.exitCode, 'recovered without a restart').toBeNull();
  figures.recoveredWithoutRestart++;
  await statusWorks(s.w);
}

async function fullBefore(s: Setup, mount: Mount): Promise<void> {
  const filler = await fill(s.mountPoint);
  await drop(s.w.inbox, 'before.mp4', await distinctVideo(base, `${mount} before`));
  await sleep(4000); // settle, intake and a first attempt, all facing the full disk
  await expectWaiting(s, mount, 'before.mp4');
  await rm(filler);
  await expectFinished(s, mount, ['before.mp4']);
}

async function fullDuring(s: Setup, mount: Mount): Promise<void> {
  await drop(s.w.inbox, 'during.mp4', await distinctVideo(base, `${mount} during`));
  await waitFor(() => s.w.emu.count('render-start') >= 1, 60_000, 'the render started');
  const filler = await fill(s.mountPoint);
  // Full while the render runs: the download (outbox) or the next journal write (state dir) meets it.
  expect(s.w.emu.count('download'), 'filled before the download').toBe(0);
  await waitFor(() => s.w.emu.renders().some((r) => r.status === 'completed'), 60_000, 'the render done');
  await sleep(3000);
  await expectWaiting(s, mount, 'during.mp4');
  await rm(filler);
  await expectFinished(s, mount, ['during.mp4']);
}

async function fullAfter(s: Setup, mount: Mount): Promise<void> {
  await drop(s.w.inbox, 'first.mp4', await distinctVideo(base, `${mount} after 1`));
  await expectFinished(s, mount, ['first.mp4']);
  const filler = await fill(s.mountPoint);
  await statusWorks(s.w);
  await drop(s.w.inbox, 'second.mp4', await distinctVideo(base, `${mount} after 2`));
  await sleep(4000);
  // The finished job's output survives the full disk.
  await expectWaiting(s, mount, 'second.mp4', ['first.mp4']);
  await rm(filler);
  await expectFinished(s, mount, ['first.mp4', 'second.mp4']);
}

const MOMENTS: Record<Moment, (s: Setup, mount: Mount) => Promise<void>> = {
  before: fullBefore,
  during: fullDuring,
  after: fullAfter,
};

/** Pairs that fail today: each names its defect in the issue; flip to it() with the fix. */
const KNOWN_DEFECTS: Partial<Record<`${Mount} ${Moment}`, string>> = {
  // None today. Issue 9 defect 3 (a journal write failure on the error path stranded the job until
  // a restart, state dir full during or after a job) is fixed.
};

const CASES = (['outbox', 'state dir'] as const).flatMap((mount) =>
  (['before', 'during', 'after'] as const).map((moment) => ({ mount, moment })),
);

describe.skipIf(!IS_ROOT)('disk full (skipped: needs root to mount a tmpfs)', () => {
  describe.skipIf(!distIsFresh())('a small outbox (run `npm run build` first)', () => {
    // issue 9 defect 9 (fixed): the free-space check added its margin twice (size × 1.5 + 64 MiB +
    // max(64 MiB, 5%)), so an outbox with under 128 MiB free never took even a tiny output. The one
    // margin is 64 MiB (src/outbox/free-space.ts), so a 96 MiB outbox takes a small output.
    it('a 96 MiB outbox with nothing in it (under the old double margin) takes a small output', async () => {
      figures.cases++;
      let s: Setup | undefined;
      try {
        s = await setUp('outbox', { outboxMib: 96, finishWithinMs: 60_000 });
        await drop(s.w.inbox, 'small.mp4', await distinctVideo(base, 'small outbox'));
        await expectFinished(s, 'outbox', ['small.mp4']);
      } finally {
        await tearDown(s);
      }
    }, 90_000);
  });

  describe.skipIf(!distIsFresh())('a full file system, then space again (run `npm run build` first)', () => {
    describe.concurrent.each(CASES)('$mount full $moment a job', ({ mount, moment }) => {
      const defect = KNOWN_DEFECTS[`${mount} ${moment}`];
      (defect ? it.fails : it)(
        `the same daemon finishes it once space returns: one output, one render, no temp file${defect ? ` (known defect: ${defect})` : ''}`,
        async () => {
          figures.cases++;
          let s: Setup | undefined;
          try {
            // A render of several seconds in the "during" case: time to fill the disk while it runs.
            // A known defect fails by timing out: long enough for the 30 s retry after a fix, no more.
            s = await setUp(mount, {
              renderPolls: moment === 'during' ? 40 : 3,
              finishWithinMs: defect ? 60_000 : 120_000,
            });
            await MOMENTS[moment](s, mount);
          } finally {
            await tearDown(s);
          }
        },
        240_000,
      );
    });
  });
});
