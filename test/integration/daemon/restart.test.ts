import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../src/cli/status-view.js';
import {
  distIsFresh,
  expectShareableMp4,
  killChildren,
  listFiles,
  makeSandbox,
  readJobs,
  runCli,
  spawnDaemon,
  waitForJobs,
  type Child,
  type Sandbox,
} from './harness.js';
import { makeLargeVideo, makeMixedSet } from './media-set.js';

let sb: Sandbox | undefined;
let clips: string[];
let mediaDir: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-restart-media-'));
  clips = await makeMixedSet(mediaDir, 4);
});

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  await sb?.close();
  sb = undefined;
});

async function status(s: Sandbox): Promise<StatusReport> {
  const res = await runCli(s, ['status', '--json', '--config', s.configPath]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as StatusReport;
}

async function sigterm(child: Child): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  child.proc.kill('SIGTERM');
  const { code } = await child.exited;
  return { code, ms: Date.now() - t0 };
}

/**
 * The built `video-inbox start` in a child process, as a service runs it: kill -9, SIGTERM, restarts
 * and `status --json` from another process (issue 3, "Done when" 3, 5 and 6).
 */
describe.skipIf(!distIsFresh())('the daemon as a process (skipped: run `npm run build` first)', () => {
  it('kill -9 during a render, then a restart: exactly one render and one output; status --json meanwhile', async () => {
    // The render takes many polls, so the kill lands while it runs at the emulator.
    sb = await makeSandbox({ emulator: { renderPolls: 25 } });
    const first = spawnDaemon(sb);
    await first.waitForLog('Watching inboxes');
    await copyFile(clips[0]!, join(sb.inbox, 'crash.avi'));
    const [rendering] = await waitForJobs(
      sb,
      (j) => j[0]?.remote.renderAccepted === true && j[0].state === 'rendering',
      60_000,
      'the render accepted',
    );

    const live = await status(sb);
    expect(live.daemon).toEqual({ running: true, pid: first.proc.pid });
    expect(live.counts).toEqual({ rendering: 1 });
    expect(live.jobs[0]).toMatchObject({ id: rendering!.id, folder: 'main', state: 'rendering' });
    expect(live.jobs[0]!.file).toBe(join(sb.inbox, 'crash.avi'));

    // A second daemon on the same state dir is refused with a clear message.
    const second = await runCli(sb, ['start', '--config', sb.configPath]);
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(`in use by another video-inbox daemon (pid ${first.proc.pid})`);

    first.proc.kill('SIGKILL');
    await first.exited;
    expect(sb.emu.count('render-start')).toBe(1);
    expect(await listFiles(sb.outbox)).toEqual([]);
    expect(await listFiles(sb.inbox)).toEqual(['crash.avi']);

    const restarted = spawnDaemon(sb);
    const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 90_000, 'the job done after restart');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.id).toBe(rendering!.id);
    expect(sb.emu.renders()).toHaveLength(1);
    expect(sb.emu.count('render-start')).toBe(1);
    expect(sb.emu.count('upload')).toBe(1);
    expect(await listFiles(sb.outbox)).toEqual(['crash.mp4']);
    await expectShareableMp4(join(sb.outbox, 'crash.mp4'));
    expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['crash.avi']);

    expect((await sigterm(restarted)).code).toBe(0);
    const after = await status(sb);
    expect(after.daemon).toEqual({ running: false });
    expect(after.counts).toEqual({ done: 1 });
    expect(after.jobs[0]).toMatchObject({ state: 'done', output: join(sb.outbox, 'crash.mp4') });
  });

  it('SIGTERM with jobs in flight stops within 10 s; a restart finishes them and the file dropped meanwhile', async () => {
    sb = await makeSandbox({
      emulator: { renderPolls: 10, instructionMs: 1500 },
      config: { concurrency: 3 },
    });
    const first = spawnDaemon(sb);
    await first.waitForLog('Watching inboxes');
    for (const [i, clip] of clips.slice(0, 3).entries())
      await copyFile(clip, join(sb.inbox, `busy-${i}.mkv`));
    const running = ['uploading', 'instructing', 'rendering', 'downloading'];
    await waitForJobs(
      sb,
      (j) => j.length === 3 && j.every((x) => running.includes(x.state)),
      60_000,
      'three jobs in flight',
    );

    const stop = await sigterm(first);
    expect(stop.code).toBe(0);
    expect(stop.ms).toBeLessThan(10_000);
    const stopped = await readJobs(sb);
    expect(stopped.filter((j) => j.state === 'failed')).toEqual([]);
    expect(first.lines.some((l) => l.includes('"msg":"Stopped"'))).toBe(true);

    // Dropped while no daemon runs: found by the start-up scan.
    await copyFile(clips[3]!, join(sb.inbox, 'while-down.webm'));
    const second = spawnDaemon(sb);
    const jobs = await waitForJobs(
      sb,
      (j) => j.length === 4 && j.every((x) => x.state === 'done'),
      120_000,
      'four jobs done',
    );
    // The same three jobs resumed (no second job for a file) and nothing rendered twice.
    expect(jobs.filter((j) => stopped.some((s) => s.id === j.id))).toHaveLength(3);
    expect(await listFiles(sb.outbox)).toEqual(['busy-0.mp4', 'busy-1.mp4', 'busy-2.mp4', 'while-down.mp4']);
    expect(sb.emu.renders()).toHaveLength(4);
    expect(sb.emu.count('render-start')).toBe(4);
    expect(await listFiles(join(sb.inbox, '_done'))).toEqual([
      'busy-0.mkv',
      'busy-1.mkv',
      'busy-2.mkv',
      'while-down.webm',
    ]);
    expect(await listFiles(sb.inbox)).toEqual(['_done']);
    expect((await sigterm(second)).code).toBe(0);
  });

  it('a restart does not convert again a file that was done and kept in the inbox', async () => {
    sb = await makeSandbox({ rule: { after: 'keep' } });
    const first = spawnDaemon(sb);
    await first.waitForLog('Watching inboxes');
    await copyFile(clips[1]!, join(sb.inbox, 'kept.mov'));
    await waitForJobs(sb, (j) => j[0]?.state === 'done', 60_000, 'the job done');
    expect((await sigterm(first)).code).toBe(0);

    const second = spawnDaemon(sb);
    // The start-up scan offers the kept file; the journal knows its content is done.
    await second.waitForLog('Already converted; nothing to do');
    // And the periodic rescans (every 2 s here) that follow do not change that.
    await new Promise((r) => setTimeout(r, 5000));
    expect(sb.emu.count('upload')).toBe(1);
    expect(sb.emu.count('render-start')).toBe(1);
    expect(await readJobs(sb)).toHaveLength(1);
    expect(await listFiles(sb.outbox)).toEqual(['kept.mp4']);
    expect(await listFiles(sb.inbox)).toEqual(['kept.mov']);
    expect((await sigterm(second)).code).toBe(0);
  });
  it('kill -9 while an instruction streams, then a restart: one upload, one render, one output', async () => {
    sb = await makeSandbox({ emulator: { instructionMs: 4000, heartbeatMs: 100 } });
    const first = spawnDaemon(sb);
    await first.waitForLog('Watching inboxes');
    await copyFile(clips[2]!, join(sb.inbox, 'talking.mkv'));
    await waitForJobs(
      sb,
      (j) => j[0]?.state === 'instructing' && j[0].remote.instructionStarted !== undefined,
      60_000,
      'the instruction streaming',
    );
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(sb.emu.count('render-start')).toBe(0);

    const second = spawnDaemon(sb);
    const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 90_000, 'the job done after restart');
    expect(jobs).toHaveLength(1);
    expect(sb.emu.count('upload')).toBe(1);
    expect(sb.emu.count('render-start')).toBe(1);
    expect(sb.emu.renders()).toHaveLength(1);
    expect(await listFiles(sb.outbox)).toEqual(['talking.mp4']);
    await expectShareableMp4(join(sb.outbox, 'talking.mp4'));
    expect((await sigterm(second)).code).toBe(0);
  });

  it('SIGTERM during a local ffmpeg conversion stops within 10 s; the restart converts it once, leaving no temp', async () => {
    sb = await makeSandbox({
      rule: { engine: 'local', extra: 'local:\n  forceTranscode: true\n  preset: medium\n  crf: 18' },
    });
    await makeLargeVideo(join(mediaDir, 'slow.avi'), 4);
    const first = spawnDaemon(sb);
    await first.waitForLog('Watching inboxes');
    await copyFile(join(mediaDir, 'slow.avi'), join(sb.inbox, 'slow.avi'));
    await waitForJobs(sb, (j) => j[0]?.state === 'converting', 60_000, 'ffmpeg running');
    const stop = await sigterm(first);
    expect(stop.code).toBe(0);
    expect(stop.ms).toBeLessThan(10_000);
    expect((await readJobs(sb))[0]?.state).toBe('converting');
    expect(await listFiles(sb.inbox)).toEqual(['slow.avi']);

    const second = spawnDaemon(sb);
    const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 120_000, 'the conversion done');
    expect(jobs).toHaveLength(1);
    // No hidden temp left beside the output either.
    expect(await readdir(sb.outbox)).toEqual(['slow.mp4']);
    await expectShareableMp4(join(sb.outbox, 'slow.mp4'));
    expect(sb.emu.requests).toEqual([]);
    expect((await sigterm(second)).code).toBe(0);
  });
});
