import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
