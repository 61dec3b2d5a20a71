import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  cleanUpAfterEach,
  expectShareableMp4,
  listFiles,
  makeSandbox,
  sleep,
  startInProcess,
  waitFor,
  waitForJobs,
} from './harness.js';

cleanUpAfterEach();

it('holds cloud jobs while credits are out (source kept in the inbox) and finishes them when credits return', async () => {
  const sb = await makeSandbox();
  sb.emu.setCredits(0);
  await makeVideo(join(sb.dir, 'a.mov'));
  await makeVideo(join(sb.dir, 'b.mp4'), { durationSec: 2 });
  const d = await startInProcess(sb, 300);
  await copyFile(join(sb.dir, 'a.mov'), join(sb.inbox, 'a.mov'));

  const [held] = await waitForJobs(sb, (j) => j[0]?.state === 'held', 60_000, 'a held job');
  expect(held).toMatchObject({ heldReason: 'credits', sourceName: 'a.mov' });
  expect(held?.error?.code).toBe('OUT_OF_CREDITS');
  const notice = await waitFor(() => d.notices.find((n) => n.kind === 'credits'), 30_000, 'a notice');
  expect(notice.message).toMatch(/https?:\/\//);
  expect(d.notices.some((n) => n.kind === 'failed')).toBe(false);

  // A file arriving while credits are out waits too; neither is failed or moved.
  await copyFile(join(sb.dir, 'b.mp4'), join(sb.inbox, 'b.mp4'));
  const states = (j: { state: string }[]) => j.map((x) => x.state).sort();
  await waitForJobs(sb, (j) => states(j).join() === 'held,queued', 30_000, 'the second job queued');
  // A moment more: neither moves on while credits are out.
  await sleep(1000);
  const waiting = await waitForJobs(sb, () => true);
  expect(waiting.map((j) => j.state).sort()).toEqual(['held', 'queued']);
  expect(await listFiles(sb.inbox)).toEqual(['a.mov', 'b.mp4']);
  expect(await listFiles(sb.outbox)).toEqual([]);

  sb.emu.setCredits(10);
  const jobs = await waitForJobs(
    sb,
    (j) => j.length === 2 && j.every((x) => x.state === 'done'),
    60_000,
    'both done after credits returned',
  );
  expect(jobs.map((j) => j.id).sort()).toEqual(waiting.map((j) => j.id).sort());
  expect(await listFiles(sb.outbox)).toEqual(['a.mp4', 'b.mp4']);
  expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['a.mov', 'b.mp4']);
  expect(sb.emu.renders()).toHaveLength(2);
  expect(d.notices.filter((n) => n.kind === 'credits')).toHaveLength(1);
});

it('a local-engine rule converts with ffmpeg and makes no API request at all', async () => {
  const sb = await makeSandbox({ rule: { engine: 'local' } });
  await makeVideo(join(sb.dir, 'home.avi'), { videoCodec: 'mpeg4', audioCodec: 'libmp3lame' });
  await startInProcess(sb);
  await copyFile(join(sb.dir, 'home.avi'), join(sb.inbox, 'home.avi'));
  const [job] = await waitForJobs(sb, (j) => j[0]?.state === 'done' || j[0]?.state === 'failed', 60_000);
  expect(job?.error).toBeUndefined();
  expect(job).toMatchObject({ state: 'done', engine: 'local' });
  await expectShareableMp4(join(sb.outbox, 'home.mp4'));
  expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['home.avi']);
  expect(sb.emu.requests).toEqual([]);
});
