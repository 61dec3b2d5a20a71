import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  distIsFresh,
  killChildren,
  listFiles,
  makeSandbox,
  sigterm,
  spawnDaemon,
  waitForJobs,
  type Child,
  type Sandbox,
} from './harness.js';

let sb: Sandbox | undefined;
let child: Child | undefined;

afterEach(async () => {
  if (child) await sigterm(child);
  await killChildren();
  await sb?.close();
  sb = child = undefined;
});

const finished = (state: string | undefined) => state === 'done' || state === 'failed';

/** A DVD-style MPEG-2 program stream (.vob): a container the cloud API does not take. */
async function makeVob(path: string): Promise<string> {
  return makeVideo(path, { videoCodec: 'mpeg2video', audioCodec: 'mp2', extra: ['-f', 'vob'] });
}

/** Issue 10, point 2: no video sits silently in an inbox. */
describe.runIf(distIsFresh())('every video is accounted for (built daemon)', { timeout: 240_000 }, () => {
  it('a .wmv that no rule of its folder matches is set aside, saying which pattern to add to `match`', async () => {
    sb = await makeSandbox({ rule: { match: ['*.mp4', '*.mov'] } });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    await makeVideo(join(media, 'old.wmv'), { videoCodec: 'wmv2', audioCodec: 'wmav2' });
    child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes', 60_000);
    await copyFile(join(media, 'old.wmv'), join(sb.inbox, 'old.wmv'));
    const [job] = await waitForJobs(sb, (j) => finished(j[0]?.state), 120_000, 'the .wmv accounted for');
    expect(job).toMatchObject({ state: 'failed', sourceName: 'old.wmv' });
    expect(job?.error?.code).toBe('NO_MATCHING_RULE');
    expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['old.wmv', 'old.wmv.error.txt']);
    const text = await readFile(join(sb.inbox, '_failed', 'old.wmv.error.txt'), 'utf8');
    expect(text).toContain('No rule in folder "main" matches *.wmv');
    expect(text).toContain("add '*.wmv' to `match`");
    expect(text).toContain(sb.rulePath());
    expect(sb.emu.count('upload')).toBe(0);
  });

  it('a .vob under a cloud rule is brought into MP4 locally, then uploaded once as an MP4 and edited in the cloud', async () => {
    sb = await makeSandbox({
      rule: { match: ['*.vob', '*.mp4'], instruction: 'Make a promo clip of {name}' },
    });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    await makeVob(join(media, 'dvd.vob'));
    child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes', 60_000);
    await copyFile(join(media, 'dvd.vob'), join(sb.inbox, 'dvd.vob'));
    const [job] = await waitForJobs(sb, (j) => finished(j[0]?.state), 180_000, 'the .vob job');
    expect(job?.error).toBeUndefined();
    expect(job).toMatchObject({ state: 'done', engine: 'nemo' });
    // One upload, of an accepted container under the source's own name; the edit went to the API.
    const uploads = sb.emu.requests.filter((r) => r.endpoint === 'upload');
    expect(uploads).toHaveLength(1);
    expect(JSON.stringify(uploads[0]!.body ?? '') + JSON.stringify(uploads[0]!.headers)).not.toMatch(/\.vob/);
    expect(sb.emu.renders()).toHaveLength(1);
    expect(await listFiles(sb.outbox)).toEqual(['dvd.mp4']);
    expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['dvd.vob']);
  });

  it('without ffmpeg such a file is set aside with that reason, and nothing is uploaded', async () => {
    sb = await makeSandbox({ rule: { match: ['*.vob'] } });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    await makeVob(join(media, 'dvd.vob'));
    sb.env.PATH = join(sb.dir, 'no-tools');
    await mkdir(sb.env.PATH);
    child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes', 60_000);
    await copyFile(join(media, 'dvd.vob'), join(sb.inbox, 'dvd.vob'));
    const [job] = await waitForJobs(sb, (j) => finished(j[0]?.state), 120_000, 'the .vob set aside');
    expect(job?.state).toBe('failed');
    expect(job?.error?.code).toBe('FFMPEG_MISSING');
    expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['dvd.vob', 'dvd.vob.error.txt']);
    const text = await readFile(join(sb.inbox, '_failed', 'dvd.vob.error.txt'), 'utf8');
    expect(text).toMatch(/format the cloud does not accept.*ffmpeg/);
    expect(sb.emu.count('upload')).toBe(0);
  });
});
