import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../src/cli/status-view.js';
import {
  distIsFresh,
  expectShareableMp4,
  listFiles,
  makeSandbox,
  readJobs,
  runCli,
  sigterm,
  spawnDaemon,
  waitFor,
  waitForJobs,
  type Sandbox,
} from './harness.js';
import { useMixedClips } from './media-set.js';

let sb: Sandbox | undefined;
const media = useMixedClips('vi-restart-media-', 4);
const clips = media.files;

async function status(s: Sandbox): Promise<StatusReport> {
  const res = await runCli(s, ['status', '--json', '--config', s.configPath]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout) as StatusReport;
}

/**
 * The built `video-inbox start` in a child process, as a service runs it: kill -9, restarts
 * and `status --json` from another process (issue 3, "Done when" 3 and 5).
 */
describe.skipIf(!distIsFresh())(
  'the daemon as a process, killed and restarted (skipped: run `npm run build` first)',
  () => {
    it('kill -9 during a render, then a restart: exactly one render and one output; status --json meanwhile', async () => {
      // The render cannot finish before the kill, however slow the machine: it needs more polls than
      // the first daemon can make; the restarted one gets a short render.
      sb = await makeSandbox({ emulator: { renderPolls: 1_000_000 } });
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
      // A running daemon answers through its API (live progress); pause and schedule come with it.
      expect(live.daemon).toMatchObject({ running: true, pid: first.proc.pid, via: 'api', paused: false });
      expect(live.counts).toEqual({ rendering: 1 });
      expect(live.jobs[0]).toMatchObject({ id: rendering!.id, folder: 'main', state: 'rendering' });
      expect(live.jobs[0]!.file).toBe(join(sb.inbox, 'crash.avi'));

      // A second daemon on the same state dir is refused with a clear message.
      const second = await runCli(sb, ['start', '--config', sb.configPath]);
      expect(second.code).toBe(4);
      expect(second.stderr).toContain(`in use by another video-inbox daemon (pid ${first.proc.pid})`);

      first.proc.kill('SIGKILL');
      await first.exited;
      expect(sb.emu.renders()).toMatchObject([{ status: expect.not.stringMatching(/completed/) }]);
      expect(sb.emu.count('render-start')).toBe(1);
      expect(await listFiles(sb.outbox)).toEqual([]);
      expect(await listFiles(sb.inbox)).toEqual(['crash.avi']);

      sb.emu.setRenderPolls(3);
      const restarted = spawnDaemon(sb);
      const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 90_000, 'the job done after restart');
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.id).toBe(rendering!.id);
      // The log says the job resumed, once, and from which step (issue 10, point 4).
      const resumed = await restarted.waitForLog('Job resumed');
      expect(resumed).toMatchObject({ job: rendering!.id, from: 'render' });
      expect(restarted.lines.filter((l) => l.includes('"Job resumed"'))).toHaveLength(1);
      expect(sb.emu.renders()).toHaveLength(1);
      expect(sb.emu.count('render-start')).toBe(1);
      expect(sb.emu.count('upload')).toBe(1);
      expect(await listFiles(sb.outbox)).toEqual(['crash.mp4']);
      await expectShareableMp4(join(sb.outbox, 'crash.mp4'));
      expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['crash.avi']);

      expect((await sigterm(restarted)).code).toBe(0);
      const after = await status(sb);
      expect(after.daemon).toEqual({ running: false, via: 'journal' });
      expect(after.counts).toEqual({ done: 1 });
      expect(after.jobs[0]).toMatchObject({ state: 'done', output: join(sb.outbox, 'crash.mp4') });
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
      // Uploaded and mid-instruction: it resumes at the instruction, not at the upload.
      expect(await second.waitForLog('Job resumed')).toMatchObject({ job: jobs[0]!.id, from: 'instruct' });
      expect(sb.emu.count('upload')).toBe(1);
      expect(sb.emu.count('render-start')).toBe(1);
      expect(sb.emu.renders()).toHaveLength(1);
      expect(await listFiles(sb.outbox)).toEqual(['talking.mp4']);
      await expectShareableMp4(join(sb.outbox, 'talking.mp4'));
      expect((await sigterm(second)).code).toBe(0);
    });
    it('a job held for credits stays held across a restart, and is finished at the start after credits returned', async () => {
      sb = await makeSandbox();
      sb.emu.setCredits(0);
      const first = spawnDaemon(sb);
      await first.waitForLog('Watching inboxes');
      await copyFile(clips[3]!, join(sb.inbox, 'broke.webm'));
      const [held] = await waitForJobs(sb, (j) => j[0]?.state === 'held', 60_000, 'a held job');
      expect(held?.heldReason).toBe('credits');
      await first.waitForLog('Out of credits');
      expect((await sigterm(first)).code).toBe(0);

      // Still none at the next start: tried once more, held again, nothing failed or moved.
      const second = spawnDaemon(sb);
      await waitFor(
        () => second.lines.filter((l) => l.includes('Out of credits')).length > 0 || undefined,
        60_000,
        'held again',
      );
      expect((await readJobs(sb)).map((j) => [j.id, j.state])).toEqual([[held!.id, 'held']]);
      expect(await listFiles(sb.inbox)).toEqual(['broke.webm']);
      expect((await sigterm(second)).code).toBe(0);

      sb.emu.setCredits(5);
      const third = spawnDaemon(sb);
      const jobs = await waitForJobs(sb, (j) => j[0]?.state === 'done', 60_000, 'done once credits returned');
      expect(jobs.map((j) => j.id)).toEqual([held!.id]);
      expect(await listFiles(sb.outbox)).toEqual(['broke.mp4']);
      expect(sb.emu.renders()).toHaveLength(1);
      expect((await sigterm(third)).code).toBe(0);
    });
  },
);
