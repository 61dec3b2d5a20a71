import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  distIsFresh,
  expectShareableMp4,
  listFiles,
  makeSandbox,
  readJobs,
  sigterm,
  spawnDaemon,
  waitForJobs,
  type Sandbox,
} from './harness.js';
import { makeLargeVideo, useMixedClips } from './media-set.js';

let sb: Sandbox | undefined;
const media = useMixedClips('vi-shutdown-media-', 4);
const clips = media.files;

/**
 * The built `video-inbox start` in a child process, as a service runs it: SIGTERM with jobs in
 * flight ends it within 10 s, and the next start finishes them (issue 3, "Done when" 6).
 */
describe.skipIf(!distIsFresh())(
  'the daemon as a process, stopped by SIGTERM (skipped: run `npm run build` first)',
  () => {
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
      expect(await listFiles(sb.outbox)).toEqual([
        'busy-0.mp4',
        'busy-1.mp4',
        'busy-2.mp4',
        'while-down.mp4',
      ]);
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

    it('SIGTERM during a local ffmpeg conversion stops within 10 s; the restart converts it once, leaving no temp', async () => {
      sb = await makeSandbox({
        rule: { engine: 'local', extra: 'local:\n  forceTranscode: true\n  preset: medium\n  crf: 18' },
      });
      await makeLargeVideo(join(media.dir, 'slow.avi'), 4);
      const first = spawnDaemon(sb);
      await first.waitForLog('Watching inboxes');
      await copyFile(join(media.dir, 'slow.avi'), join(sb.inbox, 'slow.avi'));
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
  },
);
