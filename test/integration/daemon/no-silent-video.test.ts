import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import { cleanUpAfterEach, distIsFresh, listFiles, makeSandbox, oneFileThroughDaemon } from './harness.js';

cleanUpAfterEach();

/** A DVD-style MPEG-2 program stream (.vob): a container the cloud API does not take. */
async function makeVob(path: string): Promise<string> {
  return makeVideo(path, { videoCodec: 'mpeg2video', audioCodec: 'mp2', extra: ['-f', 'vob'] });
}

/** Issue 10, point 2: no video sits silently in an inbox. */
describe.runIf(distIsFresh())('every video is accounted for (built daemon)', { timeout: 240_000 }, () => {
  it('a .wmv that no rule of its folder matches is set aside, saying which pattern to add to `match`', async () => {
    const sb = await makeSandbox({ rule: { match: ['*.mp4', '*.mov'] } });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    const source = await makeVideo(join(media, 'old.wmv'), { videoCodec: 'wmv2', audioCodec: 'wmav2' });
    const { job } = await oneFileThroughDaemon(sb, source, {
      timeoutMs: 120_000,
      what: 'the .wmv accounted for',
    });
    expect(job).toMatchObject({ state: 'failed', sourceName: 'old.wmv' });
    expect(job?.error?.code).toBe('NO_MATCHING_RULE');
    expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['old.wmv', 'old.wmv.error.txt']);
    const text = await readFile(join(sb.inbox, '_failed', 'old.wmv.error.txt'), 'utf8');
    expect(text).toContain('No rule in folder "main" matches *.wmv');
    expect(text).toContain("add '*.wmv' to `match`");
    expect(text).toContain(sb.rulePath());
    // Said once: the hint adds the next step, it does not repeat the message.
    expect(text.split(sb.rulePath()).length - 1).toBe(1);
    expect(job?.error?.hint).toBe('Then move the file back from _failed/ into the inbox.');
    expect(sb.emu.count('upload')).toBe(0);
  });

  it('a .vob under a cloud rule is brought into MP4 locally, then uploaded once as an MP4 and edited in the cloud', async () => {
    const sb = await makeSandbox({
      rule: { match: ['*.vob', '*.mp4'], instruction: 'Make a promo clip of {name}' },
    });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    const source = await makeVob(join(media, 'dvd.vob'));
    const { job } = await oneFileThroughDaemon(sb, source, { timeoutMs: 180_000, what: 'the .vob job' });
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
    const sb = await makeSandbox({ rule: { match: ['*.vob'] } });
    const media = join(sb.dir, 'media');
    await mkdir(media);
    const source = await makeVob(join(media, 'dvd.vob'));
    sb.env.PATH = join(sb.dir, 'no-tools');
    await mkdir(sb.env.PATH);
    const { job } = await oneFileThroughDaemon(sb, source, {
      timeoutMs: 120_000,
      what: 'the .vob set aside',
    });
    expect(job?.state).toBe('failed');
    expect(job?.error?.code).toBe('FFMPEG_MISSING');
    expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['dvd.vob', 'dvd.vob.error.txt']);
    const text = await readFile(join(sb.inbox, '_failed', 'dvd.vob.error.txt'), 'utf8');
    expect(text).toMatch(/format the cloud does not accept.*ffmpeg/);
    expect(sb.emu.count('upload')).toBe(0);
  });
});
