import { execFile } from 'node:child_process';
import { copyFile, link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureFreeSpace } from '../../../src/outbox/free-space.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';
import { outputTempPath, placeOutput } from '../../../src/outbox/place.js';
import { makeVideo, videoStreamHash } from '../../helpers/media.js';

const run = promisify(execFile);
const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

let media: string;
let good: string;
let root: string;
let outbox: string;

beforeAll(async () => {
  media = await mkdtemp(join(tmpdir(), 'vi-place-media-'));
  good = await makeVideo(join(media, 'good.mp4'), { durationSec: 2 });
});

afterAll(async () => {
  await rm(media, { recursive: true, force: true });
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vi-place-'));
  outbox = join(root, 'outbox');
  await mkdir(outbox);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function tempWith(file: string, jobId = 'job-1'): Promise<string> {
  const temp = outputTempPath(outbox, jobId);
  await copyFile(file, temp);
  return temp;
}

/** A link that fails with EXDEV across folders, as it would with the temp on another disk. */
const crossDeviceFs: OutboxFs = {
  ...nodeOutboxFs,
  link: (a, b) => (dirname(a) === dirname(b) ? nodeOutboxFs.link(a, b) : Promise.reject(errno('EXDEV'))),
  rename: (a, b) => (dirname(a) === dirname(b) ? nodeOutboxFs.rename(a, b) : Promise.reject(errno('EXDEV'))),
};

/** Places a temp output as `clip.mp4` in the outbox; `opts` says what else (temp, duration, ffprobe). */
function placeClip(opts: Omit<Parameters<typeof placeOutput>[0], 'fs' | 'outboxDir' | 'name'>) {
  return placeOutput({ fs: nodeOutboxFs, outboxDir: outbox, name: 'clip.mp4', ...opts });
}

describe('outputTempPath', () => {
  it('is a hidden .mp4 inside the outbox, with a safe job id', () => {
    const p = outputTempPath('/out', '../evil id');
    expect(dirname(p)).toBe('/out');
    expect(basename(p)).toMatch(/^\.[^/]*\.mp4$/);
    expect(basename(p)).not.toContain('..');
  });
});

describe('placeOutput', () => {
  it('places a verified MP4 under its name and removes the temp', async () => {
    const temp = await tempWith(good);
    const final = await placeClip({ temp, expectedDurationSec: 2 });
    expect(final).toBe(join(outbox, 'clip.mp4'));
    expect(await videoStreamHash(final)).toBe(await videoStreamHash(good));
    expect(await readdir(outbox)).toEqual(['clip.mp4']);
  });

  it('never overwrites an existing file: taken names get (1), (2)', async () => {
    await writeFile(join(outbox, 'clip.mp4'), 'precious');
    await writeFile(join(outbox, 'clip (1).mp4'), 'also precious');
    const final = await placeClip({ temp: await tempWith(good) });
    expect(final).toBe(join(outbox, 'clip (2).mp4'));
    expect(await readFile(join(outbox, 'clip.mp4'), 'utf8')).toBe('precious');
    expect(await readFile(join(outbox, 'clip (1).mp4'), 'utf8')).toBe('also precious');
  });

  it('creates the outbox folder when it is missing', async () => {
    const temp = await tempWith(good);
    const final = await placeOutput({
      fs: nodeOutboxFs,
      temp,
      outboxDir: join(outbox, 'new', 'deeper'),
      name: 'c.mp4',
    });
    expect((await stat(final)).size).toBe((await stat(good)).size);
  });

  describe('rejects an invalid output, removes the temp and places nothing', () => {
    it.each<[string, (dir: string) => Promise<string>, number | undefined, RegExp]>([
      [
        'text pretending to be an MP4',
        async (d) => (await writeFile(join(d, 'x.mp4'), 'not a video'), join(d, 'x.mp4')),
        undefined,
        /cannot read/,
      ],
      [
        'an empty file',
        async (d) => (await writeFile(join(d, 'e.mp4'), ''), join(d, 'e.mp4')),
        undefined,
        /cannot read|empty/,
      ],
      ['a Matroska file', (d) => makeVideo(join(d, 'm.mkv'), { audioCodec: null }), undefined, /not an MP4/],
      ['an MP4 with no video', (d) => makeVideo(join(d, 'a.mp4'), { extra: ['-vn'] }), undefined, /no video/],
      [
        'a truncated MP4',
        async (d) => {
          const bytes = await readFile(good);
          await writeFile(join(d, 't.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)));
          return join(d, 't.mp4');
        },
        undefined,
        /cannot read|no video/,
      ],
      ['an MP4 of the wrong duration', async () => good, 10, /lasts 2\.\d s where about 10\.0 s/],
    ])('%s', async (_name, make, expectedDurationSec, why) => {
      const temp = await tempWith(await make(root));
      const err = await placeClip({ temp, expectedDurationSec }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'OUTPUT_INVALID' });
      expect((err as Error).message).toMatch(why);
      expect((err as { hint: string }).hint).toMatch(/source was left untouched/);
      expect(await readdir(outbox)).toEqual([]);
    });
  });

  it('without ffprobe it cannot vouch for the output: FFMPEG_MISSING, temp kept, nothing placed', async () => {
    const temp = await tempWith(good);
    const err = await placeClip({ temp, ffprobe: join(root, 'no-ffprobe') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FFMPEG_MISSING' });
    expect(await readdir(outbox)).toEqual([basename(temp)]);
  });

  it('refuses a name with folders in it', async () => {
    const temp = await tempWith(good);
    await expect(
      placeOutput({ fs: nodeOutboxFs, temp, outboxDir: outbox, name: '../escape.mp4' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('finishes an interrupted placement (linked, temp not yet removed) without a duplicate', async () => {
    const temp = await tempWith(good);
    await link(temp, join(outbox, 'clip.mp4'));
    const final = await placeClip({ temp });
    expect(final).toBe(join(outbox, 'clip.mp4'));
    expect(await readdir(outbox)).toEqual(['clip.mp4']);
  });

  it('reports the final path before removing the temp, so the journal can record it', async () => {
    const temp = await tempWith(good);
    const seen: { path: string; tempStillThere: boolean }[] = [];
    const final = await placeOutput({
      fs: nodeOutboxFs,
      temp,
      outboxDir: outbox,
      name: 'clip.mp4',
      onPlaced: async (path) => {
        seen.push({
          path,
          tempStillThere: await stat(temp).then(
            () => true,
            () => false,
          ),
        });
      },
    });
    expect(seen).toEqual([{ path: final, tempStillThere: true }]);
  });

  it('works on a file system without hard links, still without overwriting', async () => {
    const noLinks: OutboxFs = { ...nodeOutboxFs, link: () => Promise.reject(errno('EPERM')) };
    await writeFile(join(outbox, 'clip.mp4'), 'precious');
    const final = await placeOutput({
      temp: await tempWith(good),
      outboxDir: outbox,
      name: 'clip.mp4',
      fs: noLinks,
    });
    expect(final).toBe(join(outbox, 'clip (1).mp4'));
    expect(await readFile(join(outbox, 'clip.mp4'), 'utf8')).toBe('precious');
    expect(await videoStreamHash(final)).toBe(await videoStreamHash(good));
  });
});

describe('placeOutput across devices (EXDEV)', () => {
  it('copies into the outbox, verifies, places, then removes the original temp', async () => {
    const elsewhere = join(root, 'engine-scratch');
    await mkdir(elsewhere);
    const temp = join(elsewhere, 'render.mp4');
    await copyFile(good, temp);
    await writeFile(join(outbox, 'clip.mp4'), 'precious');
    const final = await placeOutput({ temp, outboxDir: outbox, name: 'clip.mp4', fs: crossDeviceFs });
    expect(final).toBe(join(outbox, 'clip (1).mp4'));
    expect(await videoStreamHash(final)).toBe(await videoStreamHash(good));
    expect(await readFile(join(outbox, 'clip.mp4'), 'utf8')).toBe('precious');
    expect(await readdir(elsewhere)).toEqual([]);
    expect((await readdir(outbox)).sort()).toEqual(['clip (1).mp4', 'clip.mp4']);
  });

  it('fails with DISK_FULL when the copy hits a full disk, leaving no partial file and the temp intact', async () => {
    const elsewhere = join(root, 'engine-scratch');
    await mkdir(elsewhere);
    const temp = join(elsewhere, 'render.mp4');
    await copyFile(good, temp);
    const fullDisk: OutboxFs = {
      ...crossDeviceFs,
      copyFile: async (a, b, mode) => {
        await nodeOutboxFs.copyFile(a, b, mode);
        await writeFile(b, (await readFile(b)).subarray(0, 100)); // half-written, then the disk is full
        throw errno('ENOSPC');
      },
    };
    const err = await placeOutput({ temp, outboxDir: outbox, name: 'clip.mp4', fs: fullDisk }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'DISK_FULL' });
    expect(await readdir(outbox)).toEqual([]);
    expect((await stat(temp)).size).toBe((await stat(good)).size);
  });

  it('checks free space before copying', async () => {
    const elsewhere = join(root, 'engine-scratch');
    await mkdir(elsewhere);
    const temp = join(elsewhere, 'render.mp4');
    await copyFile(good, temp);
    const tiny: OutboxFs = { ...crossDeviceFs, statfs: () => Promise.resolve({ bavail: 10, bsize: 4096 }) };
    await expect(placeOutput({ temp, outboxDir: outbox, name: 'clip.mp4', fs: tiny })).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
    expect(await readdir(outbox)).toEqual([]);
  });

  it('moves from a real other device when one is available (/dev/shm)', async (ctx) => {
    const shm = await stat('/dev/shm').catch(() => undefined);
    if (!shm || shm.dev === (await stat(root)).dev) ctx.skip();
    const scratch = await mkdtemp('/dev/shm/vi-place-').catch(() => undefined);
    if (!scratch) ctx.skip();
    try {
      const temp = join(scratch!, 'render.mp4');
      await copyFile(good, temp);
      const final = await placeClip({ temp, expectedDurationSec: 2 });
      expect(await videoStreamHash(final)).toBe(await videoStreamHash(good));
      expect(await readdir(scratch!)).toEqual([]);
      expect(await readdir(outbox)).toEqual(['clip.mp4']);
    } finally {
      await rm(scratch!, { recursive: true, force: true });
    }
  });
});

describe('ensureFreeSpace on a real file system', () => {
  it('passes for a byte and fails for more than any disk holds', async () => {
    await expect(ensureFreeSpace(outbox, 1, { fs: nodeOutboxFs, marginBytes: 0 })).resolves.toBeUndefined();
    await expect(
      ensureFreeSpace(outbox, Number.MAX_SAFE_INTEGER, { fs: nodeOutboxFs }),
    ).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
  });

  it('ffprobe reads the test video as a real MP4 (guards the fixtures)', async () => {
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=format_name',
      '-of',
      'csv=p=0',
      good,
    ]);
    expect(stdout).toContain('mp4');
  });
});
