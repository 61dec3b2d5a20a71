import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import { cleanUpAfterEach, listFiles, makeSandbox, startInProcess, waitFor, waitForJobs } from './harness.js';

cleanUpAfterEach();

/**
 * Lessons "Processing twice" (paperless #13511, Tdarr #778): two copies of one video dropped
 * together race through intake; the content is still converted (and paid for) once.
 */
it('two copies of the same video dropped at once are converted once; the other copy is archived', async () => {
  const sb = await makeSandbox({ config: { concurrency: 3 } });
  await makeVideo(join(sb.dir, 'clip.mov'), { durationSec: 2 });
  await startInProcess(sb);
  await Promise.all([
    copyFile(join(sb.dir, 'clip.mov'), join(sb.inbox, 'clip.mov')),
    copyFile(join(sb.dir, 'clip.mov'), join(sb.inbox, 'clip copy.mov')),
  ]);
  await waitFor(
    async () => (await listFiles(join(sb.inbox, '_done'))).length === 2 || undefined,
    60_000,
    'both copies archived',
  );
  const jobs = await waitForJobs(sb, (j) => j.every((x) => x.state === 'done'));
  expect(jobs).toHaveLength(1);
  expect(sb.emu.count('upload')).toBe(1);
  expect(sb.emu.renders()).toHaveLength(1);
  expect(await listFiles(sb.outbox)).toHaveLength(1);
  expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['clip copy.mov', 'clip.mov']);
  expect(await listFiles(sb.inbox)).toEqual(['_done']);
});
