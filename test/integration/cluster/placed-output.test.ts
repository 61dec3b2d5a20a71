import { link, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverPlacedOutput } from '../../../src/cluster/placed-output.js';
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
