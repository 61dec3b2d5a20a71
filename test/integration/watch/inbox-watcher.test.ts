import { mkdir, open, rename, stat, symlink, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chokidarWatchFactory, type FolderWatchOptions } from '../../../src/watch/folder-watch.js';
import { closeHarnesses, makeHarness, quiet, sleep, waitFor, SETTLE_MS } from './harness.js';

afterEach(closeHarnesses);

const CHUNK = Buffer.alloc(64 * 1024, 7);

describe('inbox watcher: taking files only when complete, once', () => {
  it('a slow copy in chunks over ~3 s, stalling longer than the window once, is emitted once, after it finishes', async () => {
    let finished = false;
    const seenBeforeFinish: number[] = [];
    const h = await makeHarness({}, (f) => {
      if (!finished) seenBeforeFinish.push(f.size);
    });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();

    const path = join(h.inbox, 'slow.mov');
    const handle = await open(path, 'w');
    for (let i = 0; i < 20; i += 1) {
      await handle.write(CHUNK);
      // A stalled network copy: size and mtime stand still, but the copier still holds the file open
      // for writing (Linux: seen through /proc), so it is not taken.
      await sleep(i === 8 && process.platform === 'linux' ? SETTLE_MS * 4 : 120);
    }
    await handle.close();
    finished = true;
    const size = CHUNK.length * 20;

    await waitFor(() => h.emitted.length > 0, 'the copied file');
    await quiet();
    expect(seenBeforeFinish).toEqual([]);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]).toMatchObject({ folder: 'main', path, size });
  });

  it('a slow copy that closes the file between chunks is held while it keeps growing (writer check off)', async () => {
    let finished = false;
    const early: number[] = [];
    const h = await makeHarness({ settleMs: 1000, checkWriters: false }, (f) => {
      if (!finished) early.push(f.size);
    });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();

    const path = join(h.inbox, 'chunks.avi');
    for (let i = 0; i < 15; i += 1) {
      await appendFile(path, CHUNK);
      await sleep(120);
    }
    finished = true;
    await waitFor(() => h.emitted.length > 0, 'the copied file');
    await sleep(1500);
    expect(early).toEqual([]);
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]?.size).toBe(CHUNK.length * 15);
  });

  it('an atomic rename into the inbox, and a download renamed from .part, are each emitted once under the final name', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();

    const staged = join(h.root, 'staged.mp4');
    await writeFile(staged, CHUNK);
    const ino = (await stat(staged)).ino;
    await rename(staged, join(h.inbox, 'moved.mp4'));

    const part = join(h.inbox, 'download.mkv.part');
    await writeFile(part, CHUNK);
    await appendFile(part, CHUNK);
    await rename(part, join(h.inbox, 'download.mkv'));

    await waitFor(() => h.emitted.length >= 2, 'both files');
    await quiet();
    expect(h.names().sort()).toEqual(['download.mkv', 'moved.mp4']);
    expect(h.emitted.find((f) => f.path.endsWith('moved.mp4'))?.ino).toBe(ino);
    expect(h.emitted.find((f) => f.path.endsWith('download.mkv'))?.size).toBe(CHUNK.length * 2);
  });

  it('files already present at start (also in subfolders) are checked and emitted once each', async () => {
    const h = await makeHarness();
    await mkdir(join(h.inbox, 'trip', 'day1'), { recursive: true });
    await writeFile(join(h.inbox, 'a.mov'), CHUNK);
    await writeFile(join(h.inbox, 'trip', 'b.avi'), CHUNK);
    await writeFile(join(h.inbox, 'trip', 'day1', 'c.mkv'), CHUNK);
    await h.watcher.start();

    expect(h.watcher.status()).toEqual([{ folder: 'main', state: 'watching', pending: 3 }]);
    await waitFor(() => h.emitted.length >= 3, 'the three files present at start');
    await quiet();
    expect(h.names().sort()).toEqual(['a.mov', 'trip/b.avi', 'trip/day1/c.mkv']);
    expect(h.watcher.status()[0]?.pending).toBe(0);
  });

  it('a folder moved into the inbox with files inside is found, each file emitted once', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();

    const outside = join(h.root, 'holiday');
    await mkdir(join(outside, 'beach'), { recursive: true });
    await writeFile(join(outside, '1.mov'), CHUNK);
    await writeFile(join(outside, '2.mov'), CHUNK);
    await writeFile(join(outside, 'beach', '3.mp4'), CHUNK);
    await writeFile(join(outside, '.DS_Store'), 'x');
    await rename(outside, join(h.inbox, 'holiday'));

    await waitFor(() => h.emitted.length >= 3, 'the moved-in files');
    await quiet();
    expect(h.names().sort()).toEqual(['holiday/1.mov', 'holiday/2.mov', 'holiday/beach/3.mp4']);
  });

  it('a zero-byte placeholder is not emitted while empty, then emitted once it fills', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();

    const path = join(h.inbox, 'placeholder.mov');
    await writeFile(path, '');
    await waitFor(() => h.watcher.status()[0]?.pending === 1, 'the placeholder seen');
    await sleep(SETTLE_MS * 6);
    expect(h.emitted).toEqual([]);
    expect(h.watcher.status()[0]?.pending).toBe(1);

    await writeFile(path, CHUNK);
    await waitFor(() => h.emitted.length > 0, 'the filled file');
    await quiet();
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]?.size).toBe(CHUNK.length);
  });

  it('a file that stays empty far beyond the window is handed over once as empty', async () => {
    const h = await makeHarness({ emptySettleMs: 1500 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    await writeFile(join(h.inbox, 'empty.mov'), '');
    await waitFor(() => h.emitted.length > 0, 'the empty file');
    await quiet();
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]?.size).toBe(0);
    expect(h.logs.entries().some((e) => e.msg === 'File stayed empty; handing it over as empty')).toBe(true);
  });

  it('ignored names, hidden folders and the daemon’s own _done/_failed are never emitted, by events or rescans', async () => {
    const h = await makeHarness({ rescanMs: 500, isIgnored: (rel) => rel.endsWith('.txt') });
    await mkdir(join(h.inbox, '_done'), { recursive: true });
    await writeFile(join(h.inbox, '_done', 'archived-before-start.mov'), CHUNK);
    await h.watcher.start();

    const ignored = [
      '.hidden.mov',
      '._clip.mov',
      '.DS_Store',
      'Thumbs.db',
      'clip.mov.part',
      'clip.mp4.crdownload',
      'clip.tmp',
      '~$clip.mov',
      'notes.txt',
      '_done/archived.mov',
      '_failed/broken.avi',
      '_failed/broken.avi.error.txt',
      '.sync/inner.mov',
      'trip/.cache/inner.mov',
    ];
    for (const rel of ignored) {
      await mkdir(join(h.inbox, rel, '..'), { recursive: true });
      await writeFile(join(h.inbox, rel), CHUNK);
    }
    await writeFile(join(h.inbox, 'trip', 'sentinel.mov'), CHUNK);

    await waitFor(() => h.emitted.length > 0, 'the one file not ignored');
    await sleep(1100); // at least two rescans
    expect(h.names()).toEqual(['trip/sentinel.mov']);
    expect(h.watcher.status()[0]?.pending).toBe(0);
  });

  it('files the folder ignores are kept out of the OS watch, folders never are, and the rest is still found', async () => {
    const asked: FolderWatchOptions[] = [];
    const folders: string[] = [];
    const h = await makeHarness({
      rescanMs: 500,
      isIgnored: (rel, folder) => {
        folders.push(folder);
        return !rel.endsWith('.mov');
      },
      watchFactory: (options, handlers) => {
        asked.push(options);
        return chokidarWatchFactory(options, handlers);
      },
    });
    await mkdir(join(h.inbox, 'album'), { recursive: true });
    await writeFile(join(h.inbox, 'album', 'IMG_1.jpg'), CHUNK);
    await h.watcher.start();
    const ignored = asked[0]!.ignored;
    const fileStats = await stat(join(h.inbox, 'album', 'IMG_1.jpg'));
    const dirStats = await stat(join(h.inbox, 'album'));
    // chokidar asks with the entry's stats: a file the folder ignores gets no watch and no memory.
    expect(ignored(join(h.inbox, 'album', 'IMG_1.jpg'), fileStats)).toBe(true);
    expect(ignored(join(h.inbox, 'album', 'clip.mov'), fileStats)).toBe(false);
    // A folder is never hidden, whatever its name, nor a path asked about before its stats are known.
    expect(ignored(join(h.inbox, 'album'), dirStats)).toBe(false);
    expect(ignored(join(h.inbox, 'holiday.jpg'), dirStats)).toBe(false);
    expect(ignored(join(h.inbox, 'album', 'IMG_1.jpg'))).toBe(false);
    // The built-in policy applies as before.
    expect(ignored(join(h.inbox, '.DS_Store'), fileStats)).toBe(true);

    await mkdir(join(h.inbox, 'album', 'new'), { recursive: true });
    await writeFile(join(h.inbox, 'album', 'new', 'IMG_2.jpg'), CHUNK);
    await writeFile(join(h.inbox, 'album', 'new', 'sentinel.mov'), CHUNK);
    await waitFor(() => h.emitted.length > 0, 'the video beside the photos');
    await sleep(1100); // at least two rescans
    expect(h.names()).toEqual(['album/new/sentinel.mov']);
    expect(new Set(folders)).toEqual(new Set(['main']));
  });

  it('an emitted file is not emitted again across rescans, but is when its content changes', async () => {
    const h = await makeHarness({ rescanMs: 400 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    const path = join(h.inbox, 'clip.mov');
    await writeFile(path, CHUNK);
    await waitFor(() => h.emitted.length > 0, 'first version');
    await sleep(1000); // two rescans
    expect(h.emitted).toHaveLength(1);

    await appendFile(path, CHUNK);
    await waitFor(() => h.emitted.length > 1, 'second version');
    await quiet();
    expect(h.emitted.map((f) => f.size)).toEqual([CHUNK.length, CHUNK.length * 2]);
  });

  it('a file the consumer gave back with forget() is offered again by the next rescan, unchanged', async () => {
    const h = await makeHarness({ rescanMs: 500 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    const path = join(h.inbox, 'retry-me.mov');
    await writeFile(path, CHUNK);
    await waitFor(() => h.emitted.length > 0, 'first offer');
    h.watcher.forget(path);
    await waitFor(() => h.emitted.length > 1, 'second offer');
    await quiet();
    expect(h.emitted).toHaveLength(2);
    expect(h.emitted[1]).toEqual(h.emitted[0]);
  });

  it('a file the daemon archives into _done/ after taking it is never offered again', async () => {
    const h = await makeHarness({ rescanMs: 400 });
    await mkdir(join(h.inbox, '_done'), { recursive: true });
    await h.watcher.start();
    await writeFile(join(h.inbox, 'clip.mov'), CHUNK);
    await waitFor(() => h.emitted.length > 0, 'the file');
    await rename(join(h.inbox, 'clip.mov'), join(h.inbox, '_done', 'clip.mov'));
    await sleep(1500);
    expect(h.names()).toEqual(['clip.mov']);
  });

  it('an inbox that is a symlink to the real folder is watched, and paths stay under the inbox as configured', async () => {
    const h = await makeHarness();
    const real = join(h.root, 'real-inbox');
    await mkdir(real);
    await symlink(real, h.inbox);
    await h.watcher.start();
    await writeFile(join(real, 'via-link.mov'), CHUNK);
    await waitFor(
      () => h.emitted.length > 0,
      'the file in the linked folder (found by events: no rescan is due)',
    );
    expect(h.emitted[0]?.path).toBe(join(h.inbox, 'via-link.mov'));
  });
});
