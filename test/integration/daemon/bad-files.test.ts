import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { makeVideo, testsrcInput } from '../../helpers/media.js';
import { cleanUpAfterEach, listFiles, makeSandbox, startInProcess, waitFor, waitForJobs } from './harness.js';
import { makeLargeVideo } from './media-set.js';

const run = promisify(execFile);

cleanUpAfterEach();

/**
 * Issue 3, "Done when" 2: a file that cannot be done lands in `_failed/` beside `<name>.error.txt`
 * saying what happened and what to do; the good file next to them is converted as usual.
 */
it('sets aside a non-video, an empty file and a file over the limit, each with its reason; a Flash video is brought into MP4 first and converted', async () => {
  const sb = await makeSandbox({
    config: { maxUploadMB: 0.25 },
    rule: { match: ['*.mp4', '*.mov', '*.mkv', '*.flv'] },
  });
  const media = join(sb.dir, 'media');
  await mkdir(media);
  await makeVideo(join(media, 'good.mov'));
  // FLV is a real video the rule accepts, but not a type NemoVideo takes: the local engine makes
  // an MP4 of it first, and that is what is uploaded.
  await run('ffmpeg', [...testsrcInput(), '-c:v', 'flv1', join(media, 'old.flv')]);
  await makeLargeVideo(join(media, 'huge.mkv'), 1);
  const d = await startInProcess(sb);

  await writeFile(join(sb.inbox, 'notes.mp4'), 'These are my notes, not a video.\n'.repeat(50));
  await writeFile(join(sb.inbox, 'empty.mov'), '');
  for (const name of ['good.mov', 'old.flv', 'huge.mkv'])
    await copyFile(join(media, name), join(sb.inbox, name));

  const jobs = await waitForJobs(
    sb,
    (j) => j.length === 5 && j.every((x) => x.state === 'done' || x.state === 'failed'),
    90_000,
    'five finished jobs',
  );
  const byName = Object.fromEntries(jobs.map((j) => [j.sourceName, j]));
  expect(byName['good.mov']?.state).toBe('done');
  expect(byName['old.flv']?.error).toBeUndefined();
  expect(byName['old.flv']?.state).toBe('done');
  expect(
    Object.fromEntries(jobs.filter((j) => j.state === 'failed').map((j) => [j.sourceName, j.error?.code])),
  ).toEqual({
    'notes.mp4': 'NOT_A_VIDEO',
    'empty.mov': 'EMPTY_FILE',
    'huge.mkv': 'FILE_TOO_LARGE',
  });

  const failed = join(sb.inbox, '_failed');
  expect(await listFiles(failed)).toEqual(
    ['empty.mov', 'huge.mkv', 'notes.mp4'].flatMap((n) => [n, `${n}.error.txt`]).sort(),
  );
  const expectations: Record<string, RegExp[]> = {
    'notes.mp4': [/not a video/i, /plays in a video player/],
    'empty.mov': [/empty/i, /Copy the video again/],
    'huge.mkv': [/too large/i, /Compress it|local engine/],
  };
  for (const [name, [what, todo]] of Object.entries(expectations)) {
    const text = await readFile(join(failed, `${name}.error.txt`), 'utf8');
    const [happened, rest] = text.split('What to do:');
    expect(happened, name).toMatch(what!);
    expect(rest, name).toMatch(todo!);
    expect(text, name).toContain(`video-inbox retry ${join(failed, name)}`);
  }
  // The bad ones never left the inbox's care; only the good ones reached the outbox and _done/.
  expect(await listFiles(sb.outbox)).toEqual(['good.mp4', 'old.mp4']);
  expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['good.mov', 'old.flv']);
  expect(await listFiles(sb.inbox)).toEqual(['_done', '_failed']);
  // Each notice follows its job's record a moment later.
  await waitFor(() => d.notices.filter((n) => n.kind === 'failed').length >= 3, 30_000, 'three notices');
  expect(d.notices.filter((n) => n.kind === 'failed')).toHaveLength(3);
  // Nothing over the limit was sent; the FLV went up as an MP4.
  expect(sb.emu.count('upload')).toBe(2);
});

it('sets aside a file the API refuses with 4001 after an injected fault', async () => {
  const sb = await makeSandbox();
  await makeVideo(join(sb.dir, 'refused.mp4'));
  await startInProcess(sb);
  sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
  await copyFile(join(sb.dir, 'refused.mp4'), join(sb.inbox, 'refused.mp4'));
  const [job] = await waitForJobs(sb, (j) => j[0]?.state === 'failed' || j[0]?.state === 'done', 60_000);
  expect(job?.state).toBe('failed');
  expect(job?.error?.code).toBe('UNSUPPORTED_FILE');
  expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['refused.mp4', 'refused.mp4.error.txt']);
  expect(await readFile(join(sb.inbox, '_failed', 'refused.mp4.error.txt'), 'utf8')).toContain(
    'NemoVideo accepts only these formats',
  );
  expect(await listFiles(sb.outbox)).toEqual([]);
});
