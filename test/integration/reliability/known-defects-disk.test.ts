/**
 * Reproductions of defects of issue 9 that need a small real file system (a tmpfs; root only). Each
 * ran as `it.fails` until its fix landed; now each holds the fixed behaviour, so the defect cannot
 * come back unnoticed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canMountTmpfs,
  configText,
  distIsFresh,
  drop,
  localSandbox,
  makeSandbox,
  spawnDaemon,
  startInProcess,
  useClipsAndMounts,
  waitFor,
  waitForJobs,
  writeAtomic,
} from './user-config.js';

const { clips, mounts } = useClipsAndMounts('vi-known-disk-', 2);

async function tmpfsAt(dir: string, size: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
}

/** Fills the file system holding `dir` to the last block with `<dir>/filler`. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, 'filler');
  const handle = await open(path, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (;;) await handle.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
  return path;
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe.skipIf(!canMountTmpfs() || !distIsFresh())(
  'known defects: disks (needs root for tmpfs; `npm run build`)',
  () => {
    it('defect 1: a retry after other content was copied over the name records the content it converted', async () => {
      const sb = await localSandbox();
      const outbox = join(sb.dir, 'small-outbox');
      await tmpfsAt(outbox, '16m'); // under the 64 MiB margin: DISK_FULL, retried in 30 s
      await writeAtomic(
        sb.configPath,
        configText(sb, [{ name: 'main', inbox: 'inbox/main', outbox: 'small-outbox' }]),
      );
      await startInProcess(sb);
      const source = await drop(clips[0]!, sb.inbox, 'same-name.avi');
      const first = await sha256(source);
      await waitForJobs(
        sb,
        (j) => j.some((x) => x.state === 'queued' && x.attempts === 1),
        60_000,
        'a retry due',
      );
      await copyFile(clips[1]!, source); // different content, same name, in place
      const second = await sha256(source);
      execFileSync('mount', ['-o', 'remount,size=200m', outbox]);
      const jobs = await waitForJobs(sb, (j) => j.some((x) => x.state === 'done'), 90_000, 'the retry done');
      expect(second).not.toBe(first);
      // What was converted is the second content: the done record must say so.
      expect(jobs.find((x) => x.state === 'done')?.contentHash).toBe(second);
      // The first content was never converted: no record may claim it was.
      expect(jobs.filter((x) => x.state === 'done' && x.contentHash === first)).toEqual([]);
    });

    it('defect 3: a journal write failure on the error path ends in a retry, not a job stranded until restart', async () => {
      const sb = await makeSandbox({ emulator: { instructionMs: 4000 } });
      await tmpfsAt(sb.stateDir, '2m');
      const d = await startInProcess(sb);
      await drop(clips[0]!, sb.inbox, 'stranded.avi');
      await waitForJobs(sb, (j) => j.some((x) => x.state === 'instructing'), 60_000, 'instructing');
      const filler = await fill(sb.stateDir);
      await waitFor(
        () => d.logs.entries().some((e) => e.msg === 'Could not record the job outcome; it is tried again'),
        60_000,
        'the failed record',
      );
      expect(d.logs.entries().some((e) => e.msg === 'Job runner crashed')).toBe(false);
      await rm(filler);
      // Space is back: the job must move on (retried, done or set aside) without a restart.
      await waitForJobs(
        sb,
        (j) => j.every((x) => x.state !== 'instructing'),
        45_000,
        'the job no longer stranded',
      );
      // And it finishes, with no temp file left in the outbox.
      await waitForJobs(sb, (j) => j.every((x) => x.state === 'done'), 90_000, 'the job done');
      expect((await readdir(sb.outbox)).filter((n) => n.startsWith('.'))).toEqual([]);
    });

    it('defect 11: a full state dir at start is reported as the state dir, not the outbox', async () => {
      const sb = await localSandbox();
      await tmpfsAt(sb.stateDir, '1m');
      await fill(sb.stateDir);
      const child = spawnDaemon(sb);
      const exit = await Promise.race([
        child.exited,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000)),
      ]);
      expect(exit?.code).not.toBe(0);
      const said = child.lines.join('\n');
      expect(said).toContain(sb.stateDir);
      expect(said).not.toMatch(/outbox/i);
    });
  },
);
