import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAside } from '../../../src/outbox/failed.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';

let inbox: string;

beforeEach(async () => {
  inbox = await mkdtemp(join(tmpdir(), 'vi-failed-'));
});

afterEach(async () => {
  await rm(inbox, { recursive: true, force: true });
});

const error = {
  code: 'UNSUPPORTED_FILE',
  message: 'NemoVideo does not accept .xyz files',
  hint: 'Convert it to one of: mp4 mov avi webm mkv.',
};

describe('setAside', () => {
  it('moves the source to _failed/ and explains what happened, what to do and how to retry', async () => {
    await writeFile(join(inbox, 'clip.xyz'), 'data');
    const moved = await setAside(join(inbox, 'clip.xyz'), inbox, error, {
      fs: nodeOutboxFs,
      now: new Date('2026-11-23T10:00:00Z'),
    });
    expect(moved).toBe(join(inbox, '_failed', 'clip.xyz'));
    expect(await readFile(moved, 'utf8')).toBe('data');
    expect(await readdir(inbox)).toEqual(['_failed']);
    expect((await readdir(join(inbox, '_failed'))).sort()).toEqual(['clip.xyz', 'clip.xyz.error.txt']);
    const text = await readFile(`${moved}.error.txt`, 'utf8');
    expect(text).toContain('"clip.xyz"');
    expect(text).toContain('NemoVideo does not accept .xyz files');
    expect(text).toContain('UNSUPPORTED_FILE');
    expect(text).toContain('2026-11-23T10:00:00.000Z');
    expect(text).toContain('Convert it to one of: mp4 mov avi webm mkv.');
    expect(text).toContain(`video-inbox retry ${moved}`);
  });

  it('numbers a collision and gives the new file its own report, leaving the old pair alone', async () => {
    await mkdir(join(inbox, '_failed'));
    await writeFile(join(inbox, '_failed', 'clip.xyz'), 'old');
    await writeFile(join(inbox, '_failed', 'clip.xyz.error.txt'), 'old report');
    await writeFile(join(inbox, 'clip.xyz'), 'new');
    const moved = await setAside(join(inbox, 'clip.xyz'), inbox, error, {
      fs: nodeOutboxFs,
      now: new Date(),
    });
    expect(moved).toBe(join(inbox, '_failed', 'clip (1).xyz'));
    expect(await readFile(join(inbox, '_failed', 'clip.xyz'), 'utf8')).toBe('old');
    expect(await readFile(join(inbox, '_failed', 'clip.xyz.error.txt'), 'utf8')).toBe('old report');
    expect(await readFile(`${moved}.error.txt`, 'utf8')).toContain(`retry '${moved}'`);
  });

  it('keeps the subfolder and leaves no temp report behind', async () => {
    await mkdir(join(inbox, 'cam'));
    await writeFile(join(inbox, 'cam', 'empty.avi'), '');
    const moved = await setAside(
      join(inbox, 'cam', 'empty.avi'),
      inbox,
      {
        code: 'EMPTY_FILE',
        message: 'The file is empty',
      },
      { fs: nodeOutboxFs, now: new Date() },
    );
    expect(moved).toBe(join(inbox, '_failed', 'cam', 'empty.avi'));
    expect((await readdir(join(inbox, '_failed', 'cam'))).sort()).toEqual([
      'empty.avi',
      'empty.avi.error.txt',
    ]);
    expect(await readFile(`${moved}.error.txt`, 'utf8')).toContain('plays in a video player');
  });

  it('leaves a file that fails again from _failed/ where it is (never deleted), with a fresh report', async () => {
    await mkdir(join(inbox, '_failed'));
    await writeFile(join(inbox, '_failed', 'clip (1).xyz'), 'data');
    await writeFile(join(inbox, '_failed', 'clip (1).xyz.error.txt'), 'old report');
    const moved = await setAside(join(inbox, '_failed', 'clip (1).xyz'), inbox, error, {
      fs: nodeOutboxFs,
      now: new Date(),
    });
    expect(moved).toBe(join(inbox, '_failed', 'clip (1).xyz'));
    expect(await readFile(moved, 'utf8')).toBe('data');
    expect(await readFile(`${moved}.error.txt`, 'utf8')).toContain('UNSUPPORTED_FILE');
  });

  it('fails loudly when the source is gone instead of writing a report for nothing', async () => {
    await expect(
      setAside(join(inbox, 'missing.avi'), inbox, error, { fs: nodeOutboxFs, now: new Date() }),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
      cause: { code: 'ENOENT' },
    });
  });

  /**
   * An inbox without hard links (FAT, exFAT, some shares): the name in `_failed/` is reserved with an
   * empty file and the source renamed over it. A kill in between must not leave that empty file
   * looking like the user's video, nor push the source to `clip (1).avi` when it fails again.
   */
  describe('on an inbox without hard links', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    const noLinks: OutboxFs = { ...nodeOutboxFs, link: () => Promise.reject(errno('EPERM')) };
    /**
     * A file port that stops at `step` until `open()` (never, for a kill): the source's rename, or the
     * removal of the reservation's note once the source is in place. `arrived` says it got there.
     */
    const stopAt = (step: 'rename' | 'note-removal', src: string) => {
      let open!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const arrived = new Promise<void>((r) => (reached = r));
      const stop = async () => {
        reached();
        await gate;
      };
      const fs: OutboxFs = {
        ...noLinks,
        rename: async (a, b) => {
          if (step === 'rename' && a === src) await stop();
          return noLinks.rename(a, b);
        },
        unlink: async (p) => {
          if (step === 'note-removal' && basename(p).startsWith('.video-inbox-aside-')) await stop();
          return noLinks.unlink(p);
        },
      };
      return { fs, open, arrived };
    };
    /** A set-aside of `src` killed at `step`: it gets there and never goes on. */
    const killedAt = async (step: 'rename' | 'note-removal', src: string) => {
      const killed = stopAt(step, src);
      void setAside(src, inbox, error, { fs: killed.fs, now: new Date() });
      await killed.arrived;
    };
    const failedDir = () => join(inbox, '_failed');
    it('a set-aside killed between the reservation and the rename leaves no empty file: the next one takes the name', async () => {
      const src = join(inbox, 'clip.avi');
      await writeFile(src, 'camcorder bytes');
      await killedAt('rename', src);
      expect((await stat(join(failedDir(), 'clip.avi'))).size).toBe(0);

      const moved = await setAside(src, inbox, error, { fs: noLinks, now: new Date() });
      expect(moved).toBe(join(failedDir(), 'clip.avi'));
      expect(await readFile(moved, 'utf8')).toBe('camcorder bytes');
      expect((await readdir(failedDir())).sort()).toEqual(['clip.avi', 'clip.avi.error.txt']);
      expect(await readdir(inbox)).toEqual(['_failed']);
    });

    it('killed after the rename, its note still there: the video set aside stays whole, and the next file of that name goes beside it', async () => {
      const src = join(inbox, 'clip.avi');
      await writeFile(src, 'first bytes');
      await killedAt('note-removal', src);
      expect(await readFile(join(failedDir(), 'clip.avi'), 'utf8')).toBe('first bytes');

      await writeFile(src, 'second, longer bytes');
      const moved = await setAside(src, inbox, error, { fs: noLinks, now: new Date() });
      expect(moved).toBe(join(failedDir(), 'clip (1).avi'));
      expect(await readFile(join(failedDir(), 'clip.avi'), 'utf8')).toBe('first bytes');
      expect(await readFile(moved, 'utf8')).toBe('second, longer bytes');
      expect((await readdir(failedDir())).sort()).toEqual([
        'clip (1).avi',
        'clip (1).avi.error.txt',
        'clip.avi',
      ]);
    });

    it('two set-asides of one source at once (a cancel sent twice): the video is kept, whole', async () => {
      const src = join(inbox, 'clip.avi');
      await writeFile(src, 'the only copy of the video');
      const first = stopAt('rename', src);
      const second = stopAt('rename', src);
      const a = setAside(src, inbox, error, { fs: first.fs, now: new Date() });
      await first.arrived;
      const b = setAside(src, inbox, error, { fs: second.fs, now: new Date() }).catch((e: unknown) => e);
      // The second may stop at its own rename, or fail at once: either way the first goes on.
      await Promise.race([second.arrived, b]);
      first.open();
      const moved = await a;
      second.open();
      await b;
      expect(await readFile(moved, 'utf8')).toBe('the only copy of the video');
      expect(await readdir(inbox)).toEqual(['_failed']);
      const left = (await readdir(failedDir())).filter((n) => !n.endsWith('.error.txt'));
      expect(left).toEqual([basename(moved)]);
    });

    it('an empty file at the name that it did not reserve is left alone', async () => {
      await mkdir(failedDir());
      await writeFile(join(failedDir(), 'clip.avi'), '');
      const src = join(inbox, 'clip.avi');
      await writeFile(src, 'camcorder bytes');
      const moved = await setAside(src, inbox, error, { fs: noLinks, now: new Date() });
      expect(moved).toBe(join(failedDir(), 'clip (1).avi'));
      expect((await stat(join(failedDir(), 'clip.avi'))).size).toBe(0);
      expect((await readdir(failedDir())).sort()).toEqual([
        'clip (1).avi',
        'clip (1).avi.error.txt',
        'clip.avi',
      ]);
    });
  });
});
