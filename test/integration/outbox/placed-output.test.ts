import { link, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverPlacedOutput, recoverReservedOutput } from '../../../src/outbox/placed-output.js';
import { nodeOutboxFs } from '../../../src/outbox/outbox-fs.js';

let dir: string;
let temp: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-placed-'));
  temp = join(dir, '.video-inbox-job.partial.mp4');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A job whose output was linked to its final name but not recorded (its node died in between) is
 * recognised before anything runs again, so the retry records that name instead of a `(1)` copy.
 */
describe('recoverPlacedOutput (real files and hard links)', () => {
  it('finds the final name the temp output was linked to, and drops the temp name', async () => {
    await writeFile(temp, 'mp4 bytes');
    await link(temp, join(dir, 'clip.mp4'));
    expect(await recoverPlacedOutput(temp, dir, 'clip.mp4', nodeOutboxFs)).toBe(join(dir, 'clip.mp4'));
    expect(await readdir(dir)).toEqual(['clip.mp4']);
  });

  it('finds a numbered name when the plain one held another video', async () => {
    await writeFile(join(dir, 'clip.mp4'), 'another video');
    await writeFile(temp, 'mp4 bytes');
    await link(temp, join(dir, 'clip (1).mp4'));
    expect(await recoverPlacedOutput(temp, dir, 'clip.mp4', nodeOutboxFs)).toBe(join(dir, 'clip (1).mp4'));
    expect((await readdir(dir)).sort()).toEqual(['clip (1).mp4', 'clip.mp4']);
  });

  it.each([
    ['no temp output at all', async () => undefined],
    ['a temp output never linked', async () => writeFile(temp, 'mp4 bytes')],
    [
      'a temp output and an unrelated file under the name',
      async () => {
        await writeFile(temp, 'mp4 bytes');
        await writeFile(join(dir, 'clip.mp4'), 'another video');
      },
    ],
  ])('recovers nothing with %s', async (_what, setup) => {
    await setup();
    const before = (await readdir(dir)).sort();
    expect(await recoverPlacedOutput(temp, dir, 'clip.mp4', nodeOutboxFs)).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});

/**
 * Without hard links, placement reserves the final name with an empty file (recorded with the temp's
 * size and mtime) and renames the temp over it; a kill at either step is recognised afterwards.
 */
describe('recoverReservedOutput (real files, a file system without hard links)', () => {
  const reserve = async () => {
    await writeFile(temp, 'mp4 bytes');
    await writeFile(join(dir, 'clip.mp4'), '');
    const t = await stat(temp);
    return { path: join(dir, 'clip.mp4'), size: t.size, mtimeMs: t.mtimeMs };
  };

  it('takes the reserved name once the temp was renamed over it', async () => {
    const reserved = await reserve();
    await rename(temp, reserved.path);
    expect(await recoverReservedOutput(temp, reserved, nodeOutboxFs)).toBe(reserved.path);
    expect(await readdir(dir)).toEqual(['clip.mp4']);
  });

  it('removes an empty reservation the rename never filled, and takes nothing', async () => {
    const reserved = await reserve();
    expect(await recoverReservedOutput(temp, reserved, nodeOutboxFs)).toBeUndefined();
    expect(await readdir(dir)).toEqual(['.video-inbox-job.partial.mp4']);
  });

  it('leaves alone another file that took the name since (another size)', async () => {
    const reserved = await reserve();
    await rm(temp);
    await writeFile(reserved.path, 'someone else’s much longer video');
    expect(await recoverReservedOutput(temp, reserved, nodeOutboxFs)).toBeUndefined();
    expect(await readdir(dir)).toEqual(['clip.mp4']);
  });

  it('takes nothing while the temp is still there beside a full file', async () => {
    const reserved = await reserve();
    await writeFile(reserved.path, 'mp4 bytes');
    expect(await recoverReservedOutput(temp, reserved, nodeOutboxFs)).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['.video-inbox-job.partial.mp4', 'clip.mp4']);
  });
});
