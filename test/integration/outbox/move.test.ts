import {
  lstat,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveNoClobber } from '../../../src/outbox/move.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-move-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('moveNoClobber never deletes the file it moves', () => {
  it('a file that already carries a numbered variant of the name stays put', async () => {
    await writeFile(join(dir, 'clip.mp4'), 'someone else');
    await writeFile(join(dir, 'clip (1).mp4'), 'mine');
    const placed = await moveNoClobber(nodeOutboxFs, join(dir, 'clip (1).mp4'), dir, 'clip.mp4');
    expect(placed).toBe(join(dir, 'clip (1).mp4'));
    expect(await readFile(placed, 'utf8')).toBe('mine');
    expect(await readFile(join(dir, 'clip.mp4'), 'utf8')).toBe('someone else');
  });

  it('on a case-insensitive disk, "Clip.mp4" → "clip.mp4" is one entry, not two links', async () => {
    // Simulated: the disk says the name exists and both spellings stat as the one file with one link.
    const from = join(dir, 'Clip.mp4');
    await writeFile(from, 'only copy');
    const caseInsensitive: OutboxFs = {
      ...nodeOutboxFs,
      link: () => Promise.reject(Object.assign(new Error('EEXIST'), { code: 'EEXIST' })),
      stat: (p) => nodeOutboxFs.stat(p.toLowerCase() === from.toLowerCase() ? from : p),
    };
    const placed = await moveNoClobber(caseInsensitive, from, dir, 'clip.mp4');
    expect(placed).toBe(from);
    expect(await readFile(from, 'utf8')).toBe('only copy');
  });

  it('two links to one file (an interrupted move) become one', async () => {
    await writeFile(join(dir, 'a.avi'), 'data');
    const sub = join(dir, '_done');
    await nodeOutboxFs.mkdir(sub);
    await nodeOutboxFs.link(join(dir, 'a.avi'), join(sub, 'a.avi'));
    const placed = await moveNoClobber(nodeOutboxFs, join(dir, 'a.avi'), sub, 'a.avi');
    expect(placed).toBe(join(sub, 'a.avi'));
    expect((await stat(placed)).nlink).toBe(1);
    expect(await readdir(dir)).toEqual(['_done']);
  });
});

describe('moveNoClobber moves a symbolic link, never the file it points to', () => {
  /** dir/videos/clip.mp4, and inbox/clip.mp4 → ../videos/clip.mp4 (relative). */
  async function relativeLinkSetup() {
    const videos = join(dir, 'videos');
    const inbox = join(dir, 'inbox');
    await nodeOutboxFs.mkdir(videos);
    await nodeOutboxFs.mkdir(inbox);
    await writeFile(join(videos, 'clip.mp4'), 'the video');
    await symlink('../videos/clip.mp4', join(inbox, 'clip.mp4'));
    return { inbox, video: join(videos, 'clip.mp4') };
  }

  it('a relative link moved a folder down is rewritten as an absolute link to the same file', async () => {
    const { inbox, video } = await relativeLinkSetup();
    const placed = await moveNoClobber(
      nodeOutboxFs,
      join(inbox, 'clip.mp4'),
      join(inbox, '_done'),
      'clip.mp4',
    );
    expect(placed).toBe(join(inbox, '_done', 'clip.mp4'));
    expect((await lstat(placed)).isSymbolicLink()).toBe(true);
    expect(await readlink(placed)).toBe(await realpath(video));
    expect(await readFile(placed, 'utf8')).toBe('the video');
    expect(await readdir(inbox)).toEqual(['_done']);
    expect(await readFile(video, 'utf8')).toBe('the video');
  });

  it('the target is resolved from the real folder of the link (an inbox reached through a link)', async () => {
    const { inbox, video } = await relativeLinkSetup();
    const alias = join(dir, 'alias');
    await symlink(inbox, alias);
    const placed = await moveNoClobber(
      nodeOutboxFs,
      join(alias, 'clip.mp4'),
      join(alias, '_done'),
      'clip.mp4',
    );
    expect(await realpath(placed)).toBe(await realpath(video));
  });

  it('a taken name gets a numbered one; a name holding a link to the same target is the placement', async () => {
    const { inbox, video } = await relativeLinkSetup();
    const done = join(inbox, '_done');
    await nodeOutboxFs.mkdir(done);
    await writeFile(join(done, 'clip.mp4'), 'someone else');
    const placed = await moveNoClobber(nodeOutboxFs, join(inbox, 'clip.mp4'), done, 'clip.mp4');
    expect(placed).toBe(join(done, 'clip (1).mp4'));
    expect(await readFile(join(done, 'clip.mp4'), 'utf8')).toBe('someone else');
    // An interrupted run: the new link was made, the old one not yet removed.
    await symlink('../videos/clip.mp4', join(inbox, 'clip.mp4'));
    const again = await moveNoClobber(nodeOutboxFs, join(inbox, 'clip.mp4'), done, 'clip.mp4');
    expect(again).toBe(join(done, 'clip (1).mp4'));
    expect((await readdir(done)).sort()).toEqual(['clip (1).mp4', 'clip.mp4']);
    expect(await readFile(video, 'utf8')).toBe('the video');
  });

  it('a link that loops is moved as it is written (a link to itself stays one, by absolute name)', async () => {
    const loop = join(dir, 'loop.mp4');
    await symlink('loop.mp4', loop);
    const placed = await moveNoClobber(nodeOutboxFs, loop, join(dir, '_failed'), 'loop.mp4');
    expect(await readlink(placed)).toBe(join(await realpath(dir), 'loop.mp4'));
    expect(await readdir(dir)).toEqual(['_failed']);
  });
});
