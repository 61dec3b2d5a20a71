import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';
import { applyAfterAction } from '../../../src/outbox/source-action.js';

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
let inbox: string;

beforeEach(async () => {
  inbox = await mkdtemp(join(tmpdir(), 'vi-after-'));
});

afterEach(async () => {
  await rm(inbox, { recursive: true, force: true });
});

async function drop(rel: string, content = `content of ${rel}`): Promise<string> {
  const path = join(inbox, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe('applyAfterAction', () => {
  it('archives to <inbox>/_done/', async () => {
    const src = await drop('clip.avi');
    const moved = await applyAfterAction(src, inbox, 'archive', { fs: nodeOutboxFs });
    expect(moved).toBe(join(inbox, '_done', 'clip.avi'));
    expect(await readFile(moved!, 'utf8')).toBe('content of clip.avi');
    expect(await readdir(inbox)).toEqual(['_done']);
  });

  it('numbers an archive collision and keeps the file already there', async () => {
    await drop('_done/clip.avi', 'earlier clip');
    await drop('_done/clip (1).avi', 'another earlier clip');
    const moved = await applyAfterAction(await drop('clip.avi', 'new clip'), inbox, 'archive', {
      fs: nodeOutboxFs,
    });
    expect(moved).toBe(join(inbox, '_done', 'clip (2).avi'));
    expect(await readFile(join(inbox, '_done', 'clip.avi'), 'utf8')).toBe('earlier clip');
    expect(await readFile(join(inbox, '_done', 'clip (1).avi'), 'utf8')).toBe('another earlier clip');
    expect(await readFile(moved!, 'utf8')).toBe('new clip');
  });

  it('keeps the subfolder a source came from', async () => {
    const moved = await applyAfterAction(await drop('trip/day1/clip.avi'), inbox, 'archive', {
      fs: nodeOutboxFs,
    });
    expect(moved).toBe(join(inbox, '_done', 'trip', 'day1', 'clip.avi'));
  });

  it('archives across devices: copies, checks, then removes the source', async () => {
    const exdev: OutboxFs = {
      ...nodeOutboxFs,
      link: (a, b) => (dirname(a) === dirname(b) ? nodeOutboxFs.link(a, b) : Promise.reject(errno('EXDEV'))),
    };
    await drop('_done/clip.avi', 'earlier clip');
    const src = await drop('clip.avi', 'new clip');
    const moved = await applyAfterAction(src, inbox, 'archive', { fs: exdev });
    expect(moved).toBe(join(inbox, '_done', 'clip (1).avi'));
    expect(await readFile(moved!, 'utf8')).toBe('new clip');
    expect(await readFile(join(inbox, '_done', 'clip.avi'), 'utf8')).toBe('earlier clip');
    expect(await stat(src).catch(() => undefined)).toBeUndefined();
    expect((await readdir(join(inbox, '_done'))).sort()).toEqual(['clip (1).avi', 'clip.avi']);
  });

  it('keeps the source when the archive copy hits a full disk', async () => {
    const full: OutboxFs = {
      ...nodeOutboxFs,
      link: () => Promise.reject(errno('EXDEV')),
      copyFile: () => Promise.reject(errno('ENOSPC')),
    };
    const src = await drop('clip.avi');
    await expect(applyAfterAction(src, inbox, 'archive', { fs: full })).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
    expect(await readFile(src, 'utf8')).toBe('content of clip.avi');
    expect(await readdir(join(inbox, '_done'))).toEqual([]);
  });

  it.each(['archive', 'delete'] as const)(
    'keeps a source that changed since the job took it (after: %s): it is new content',
    async (action) => {
      const src = await drop('clip.avi', 'original');
      const taken = await stat(src);
      await writeFile(src, 'saved over while converting');
      const where = await applyAfterAction(src, inbox, action, {
        fs: nodeOutboxFs,
        expect: { size: taken.size, mtimeMs: taken.mtimeMs },
      });
      expect(where).toBe(src);
      expect(await readFile(src, 'utf8')).toBe('saved over while converting');
    },
  );

  it('acts on a source that is as the job took it', async () => {
    const src = await drop('clip.avi');
    const taken = await stat(src);
    const where = await applyAfterAction(src, inbox, 'delete', {
      fs: nodeOutboxFs,
      expect: { size: taken.size, mtimeMs: taken.mtimeMs },
    });
    expect(where).toBeUndefined();
    expect(await readdir(inbox)).toEqual([]);
  });

  /**
   * An inbox without hard links (FAT, exFAT): the archive name is reserved with an empty file and the
   * source renamed over it. The job records the reservation first, so its next run can tell what a
   * kill left there.
   */
  describe('on an inbox without hard links, after a run killed while archiving', () => {
    const noLinks: OutboxFs = { ...nodeOutboxFs, link: () => Promise.reject(errno('EPERM')) };
    const target = () => join(inbox, '_done', 'clip.avi');

    it('records the reservation before the rename, with the size and mtime the source has', async () => {
      const src = await drop('clip.avi', 'camcorder bytes');
      const st = await stat(src);
      const seen: { path: string; size: number; mtimeMs: number; atThatPoint: number }[] = [];
      const moved = await applyAfterAction(src, inbox, 'archive', {
        fs: noLinks,
        onReserved: async (path, file) => {
          seen.push({ path, ...file, atThatPoint: (await stat(path)).size });
        },
      });
      expect(moved).toBe(target());
      expect(seen).toEqual([{ path: target(), size: st.size, mtimeMs: st.mtimeMs, atThatPoint: 0 }]);
    });

    it('removes its own empty reservation and archives the source under its own name', async () => {
      const src = await drop('clip.avi', 'camcorder bytes');
      const st = await stat(src);
      await drop('_done/clip.avi', '');
      const moved = await applyAfterAction(src, inbox, 'archive', {
        fs: noLinks,
        reserved: { path: target(), size: st.size, mtimeMs: st.mtimeMs },
      });
      expect(moved).toBe(target());
      expect(await readdir(join(inbox, '_done'))).toEqual(['clip.avi']);
      expect(await readFile(target(), 'utf8')).toBe('camcorder bytes');
    });

    it('says where the source went when the rename happened and the record did not', async () => {
      const src = await drop('_done/clip.avi', 'camcorder bytes');
      const st = await stat(src);
      const moved = await applyAfterAction(join(inbox, 'clip.avi'), inbox, 'archive', {
        fs: noLinks,
        expect: { size: st.size, mtimeMs: st.mtimeMs },
        reserved: { path: target(), size: st.size, mtimeMs: st.mtimeMs },
      });
      expect(moved).toBe(target());
    });

    it('leaves alone a file at that name that is not its own', async () => {
      await drop('_done/clip.avi', '');
      const other = await drop('_done/clip (1).avi', 'someone else');
      const src = await drop('clip.avi', 'camcorder bytes');
      const st = await stat(src);
      // An empty file the user put there is not this job's: its recorded size says so.
      const mine = { path: join(inbox, '_done', 'clip (1).avi'), size: st.size, mtimeMs: st.mtimeMs };
      const moved = await applyAfterAction(src, inbox, 'archive', { fs: noLinks, reserved: mine });
      expect(moved).toBe(join(inbox, '_done', 'clip (2).avi'));
      expect(await readFile(other, 'utf8')).toBe('someone else');
      expect((await stat(target())).size).toBe(0);
    });
  });

  it('deletes', async () => {
    const src = await drop('clip.avi');
    expect(await applyAfterAction(src, inbox, 'delete', { fs: nodeOutboxFs })).toBeUndefined();
    expect(await readdir(inbox)).toEqual([]);
  });

  it('keeps', async () => {
    const src = await drop('clip.avi');
    expect(await applyAfterAction(src, inbox, 'keep', { fs: nodeOutboxFs })).toBe(src);
    expect(await readFile(src, 'utf8')).toBe('content of clip.avi');
  });

  it.each(['archive', 'delete'] as const)(
    '%s of a source already gone resolves to undefined',
    async (action) => {
      expect(
        await applyAfterAction(join(inbox, 'gone.avi'), inbox, action, { fs: nodeOutboxFs }),
      ).toBeUndefined();
    },
  );
});
