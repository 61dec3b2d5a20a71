import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  cleanUpAfterEach,
  distIsFresh,
  makeSandbox,
  parseLine,
  sigterm,
  spawnDaemon,
  waitForJobs,
} from './harness.js';

/**
 * Issue 10, point 4: "the daemon logs download progress at most every 10 s per job" (a 3.6 MB file
 * gave 26 blocks of lines in one second). A download trickled over a few seconds arrives in many
 * chunks; its log shows the stage once, not a line per chunk.
 */
cleanUpAfterEach();

it.skipIf(!distIsFresh())(
  'a slow download logs its progress a bounded number of times',
  async () => {
    const sb = await makeSandbox();
    const clip = await makeVideo(join(sb.dir, 'clip.avi'), { videoCodec: 'mpeg4', durationSec: 3 });
    const { size } = await stat(clip);
    // About four seconds of download, in slices of a tenth of a second.
    sb.emu.inject('download', { kind: 'slow', bytesPerSecond: Math.max(1024, Math.ceil(size / 4)) });
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    await copyFile(clip, join(sb.inbox, 'clip.avi'));
    await waitForJobs(sb, (jobs) => jobs[0]?.state === 'done', 120_000, 'the job done');
    await sigterm(daemon);

    const downloading = daemon.lines
      .map((l) => parseLine(l))
      .filter((e) => e?.stage === 'downloading' && String(e.msg).startsWith('Downloading'));
    expect(downloading.length).toBeGreaterThanOrEqual(1);
    const times = downloading.map((e) => Number(e!.time));
    const spanMs = Math.max(...times) - Math.min(...times);
    // The stage change, then at most one line per 10 s.
    expect(downloading.length).toBeLessThanOrEqual(1 + Math.floor(spanMs / 10_000));
    expect(downloading.length).toBeLessThanOrEqual(3);
  },
  180_000,
);
