import { chmod, mkdir, open, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chokidarWatchFactory, type WatchFactory } from '../../../src/watch/folder-watch.js';
import { closeHarnesses, makeHarness, quiet, sleep, waitFor } from './harness.js';

afterEach(closeHarnesses);

const DATA = Buffer.alloc(32 * 1024, 3);

/** Real chokidar, except that events for names containing "missed" are dropped, as an OS may drop them. */
const droppingFactory: WatchFactory = (options, handlers) =>
  chokidarWatchFactory(options, {
    ...handlers,
    file: (path) => {
      if (!path.includes('missed')) handlers.file(path);
    },
    dir: (path) => {
      if (!path.includes('missed')) handlers.dir(path);
    },
  });

/** Native watching fails as it does when inotify runs out of watches; polling is real chokidar. */
const enospcFactory: WatchFactory = (options, handlers) => {
  if (options.poll) return chokidarWatchFactory(options, handlers);
  setTimeout(() => handlers.error(Object.assign(new Error('watch ENOSPC'), { code: 'ENOSPC' })), 50);
  return { ready: Promise.resolve(), close: async () => undefined };
};

const messages = (h: { logs: { entries(): Record<string, unknown>[] } }) =>
  h.logs.entries().map((e) => e.msg);

describe('inbox watcher: never missing a file', () => {
  it('control: with events dropped and no rescan due, the file is not seen', async () => {
    const h = await makeHarness({ watchFactory: droppingFactory });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    await writeFile(join(h.inbox, 'missed.mov'), DATA);
    await writeFile(join(h.inbox, 'seen.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'the file whose event arrived');
    await quiet();
    expect(h.names()).toEqual(['seen.mov']);
  });

  it('the periodic rescan finds a file whose event was dropped, and a folder whose event was dropped', async () => {
    const h = await makeHarness({ watchFactory: droppingFactory, rescanMs: 1000 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    await writeFile(join(h.inbox, 'missed.mov'), DATA);
    await mkdir(join(h.root, 'missed-folder'));
    await writeFile(join(h.root, 'missed-folder', 'inner-missed.mov'), DATA);
    await rename(join(h.root, 'missed-folder'), join(h.inbox, 'missed-folder'));
    await waitFor(() => h.emitted.length >= 2, 'files found by the rescan');
    await quiet();
    expect(h.names().sort()).toEqual(['missed-folder/inner-missed.mov', 'missed.mov']);
  });

  it('an inbox deleted while watched → missing with one warning; recreated → watched and rescanned again', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await writeFile(join(h.inbox, 'before.mov'), DATA);
    await h.watcher.start();
    await waitFor(() => h.emitted.length === 1, 'the file present at start');

    await rm(h.inbox, { recursive: true, force: true });
    await waitFor(() => h.watcher.status()[0]?.state === 'missing', 'state missing');
    await sleep(1500); // two presence checks or more while missing
    const warnings = messages(h).filter((m) => typeof m === 'string' && m.startsWith('Inbox is missing'));
    expect(warnings).toHaveLength(1);

    await mkdir(h.inbox);
    await writeFile(join(h.inbox, 'while-away.mov'), DATA);
    await waitFor(() => h.watcher.status()[0]?.state === 'watching', 'state watching again');
    await waitFor(() => h.emitted.length === 2, 'the file dropped while the inbox was being recreated');
    await writeFile(join(h.inbox, 'after.mov'), DATA);
    await waitFor(() => h.emitted.length === 3, 'a file dropped after it came back (events work again)');
    await quiet();
    expect(h.names()).toEqual(['before.mov', 'while-away.mov', 'after.mov']);
    expect(messages(h)).toContain('Inbox is back; rescanning');
  });

  it('a share going away keeps its pending candidates (nothing read as deleted), and they finish when it is back', async () => {
    const h = await makeHarness({ emptySettleMs: 600_000 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    const placeholder = join(h.inbox, 'placeholder.mov');
    await writeFile(placeholder, '');
    await waitFor(() => h.watcher.status()[0]?.pending === 1, 'the placeholder pending');

    // Moving the folder away looks, from the inbox path, exactly like an unmounted share.
    const away = join(h.root, 'away');
    await rename(h.inbox, away);
    await waitFor(() => h.watcher.status()[0]?.state === 'missing', 'state missing');
    await sleep(1500);
    expect(h.watcher.status()[0]).toEqual({ folder: 'main', state: 'missing', pending: 1 });

    await rename(away, h.inbox);
    await waitFor(() => h.watcher.status()[0]?.state === 'watching', 'watching again');
    await writeFile(placeholder, DATA);
    await waitFor(() => h.emitted.length > 0, 'the filled placeholder');
    await quiet();
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]?.size).toBe(DATA.length);
  });

  it.skipIf(process.getuid?.() === 0)('an inbox that cannot be listed is reported once', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await chmod(h.inbox, 0o000);
    try {
      await h.watcher.start();
      const warnings = messages(h).filter((m) => m === 'Cannot list the inbox; check its permissions');
      expect(warnings).toHaveLength(1);
    } finally {
      await chmod(h.inbox, 0o755);
    }
  });

  it('an inbox replaced by a new folder between checks is noticed and the new folder watched', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    await rename(h.inbox, join(h.root, 'old-inbox'));
    await mkdir(h.inbox);
    await writeFile(join(h.inbox, 'in-new-folder.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'the file in the replacement folder');
    await writeFile(join(h.inbox, 'later.mov'), DATA);
    await waitFor(() => h.emitted.length > 1, 'a later file in the replacement folder');
    await quiet();
    expect(h.names()).toEqual(['in-new-folder.mov', 'later.mov']);
  });

  it('an inbox missing at start warns once, and is watched when it appears', async () => {
    const h = await makeHarness();
    await h.watcher.start();
    expect(h.watcher.status()).toEqual([{ folder: 'main', state: 'missing', pending: 0 }]);
    await mkdir(h.inbox);
    await writeFile(join(h.inbox, 'first.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'the first file once the inbox exists');
    expect(h.watcher.status()[0]?.state).toBe('watching');
    expect(messages(h).filter((m) => typeof m === 'string' && m.startsWith('Inbox is missing'))).toHaveLength(
      1,
    );
  });
});

describe('inbox watcher: polling', () => {
  it('forcePoll polls every inbox and still takes files once, only when complete', async () => {
    let done = false;
    const early: number[] = [];
    const h = await makeHarness({ forcePoll: true, settleMs: 600 }, (f) => {
      if (!done && f.path.endsWith('growing.mov')) early.push(f.size);
    });
    await mkdir(h.inbox, { recursive: true });
    await writeFile(join(h.inbox, 'present.mov'), DATA);
    await h.watcher.start();
    expect(h.watcher.status()[0]?.state).toBe('polling');
    const growing = await open(join(h.inbox, 'growing.mov'), 'w');
    for (let i = 0; i < 10; i += 1) {
      await growing.write(DATA);
      await sleep(100);
    }
    await growing.close();
    done = true;
    await writeFile(join(h.inbox, 'dropped.mov'), DATA);
    await waitFor(() => h.emitted.length >= 3, 'all three files');
    await quiet();
    expect(early).toEqual([]);
    expect(h.names().sort()).toEqual(['dropped.mov', 'growing.mov', 'present.mov']);
    expect(h.emitted.find((f) => f.path.endsWith('growing.mov'))?.size).toBe(DATA.length * 10);
  });

  it('a folder on a network share (from the mount table) is polled', async () => {
    let root = '';
    const h = await makeHarness({
      readMounts: async () => [
        { mountPoint: '/', fsType: 'ext4', options: [] },
        { mountPoint: root, fsType: 'nfs4', options: [] },
      ],
    });
    root = await realpath(h.root);
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    expect(h.watcher.status()[0]?.state).toBe('polling');
    expect(messages(h)).toContain('Inbox is on a network share; polling it');
    await writeFile(join(h.inbox, 'on-share.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'the file on the share');
    expect(h.names()).toEqual(['on-share.mov']);
  });

  it('a folder with poll: true is polled while the others are watched natively', async () => {
    const h = await makeHarness();
    const second = join(h.root, 'second');
    await mkdir(h.inbox, { recursive: true });
    await mkdir(second);
    await h.watcher.setFolders([
      { name: 'main', inbox: h.inbox },
      { name: 'share', inbox: second, poll: true },
    ]);
    await h.watcher.start();
    expect(h.watcher.status().map((s) => s.state)).toEqual(['watching', 'polling']);
    await writeFile(join(second, 'polled.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'the polled file');
    expect(h.emitted[0]).toMatchObject({ folder: 'share', path: join(second, 'polled.mov') });
  });

  it('running out of inotify watches (ENOSPC) falls back to polling with a warning and a sysctl hint', async () => {
    const h = await makeHarness({ watchFactory: enospcFactory, readInotifyLimit: async () => 8192 });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    await waitFor(() => h.watcher.status()[0]?.state === 'polling', 'fallback to polling');
    const warning = h.logs
      .entries()
      .find((e) => e.msg === 'Out of inotify watches; polling this inbox instead');
    expect(String(warning?.hint)).toContain('sysctl fs.inotify.max_user_watches=');
    await writeFile(join(h.inbox, 'after-fallback.mov'), DATA);
    await waitFor(() => h.emitted.length > 0, 'a file found by polling');
    expect(h.names()).toEqual(['after-fallback.mov']);
  });

  it('warns at start when the inboxes come close to the inotify limit', async () => {
    const h = await makeHarness({ readInotifyLimit: async () => 6 });
    for (const sub of ['a', 'b', 'c']) await mkdir(join(h.inbox, sub), { recursive: true });
    await h.watcher.start();
    const warning = h.logs.entries().find((e) => e.msg === 'Inboxes are close to the inotify watch limit');
    expect(process.platform !== 'linux' || warning !== undefined).toBe(true);
    if (warning) {
      expect(warning.directories).toBe(4);
      expect(String(warning.hint)).toContain('sysctl fs.inotify.max_user_watches=');
    }
  });
});

describe('inbox watcher: folder changes and shutdown', () => {
  it('setFolders adds a folder (its files found), removes one (ignored from then on), keeps the rest watching', async () => {
    const h = await makeHarness();
    const added = join(h.root, 'added');
    await mkdir(h.inbox, { recursive: true });
    await mkdir(added);
    await writeFile(join(added, 'already-there.mov'), DATA);
    await h.watcher.start();

    await h.watcher.setFolders([
      { name: 'main', inbox: h.inbox },
      { name: 'added', inbox: added },
    ]);
    await writeFile(join(h.inbox, 'main-during-reload.mov'), DATA);
    await waitFor(() => h.emitted.length >= 2, 'files from both folders');
    expect(h.emitted.map((f) => f.folder).sort()).toEqual(['added', 'main']);

    await h.watcher.setFolders([{ name: 'added', inbox: added }]);
    expect(h.watcher.status().map((s) => s.folder)).toEqual(['added']);
    await writeFile(join(h.inbox, 'no-longer-watched.mov'), DATA);
    await writeFile(join(added, 'still-watched.mov'), DATA);
    await waitFor(() => h.emitted.length >= 3, 'the file in the remaining folder');
    await quiet();
    expect(h.emitted.map((f) => f.path.split('/').pop())).not.toContain('no-longer-watched.mov');
  });

  it('a folder whose watch is replaced on reload (poll switched on) is rescanned, so a drop in the gap is found', async () => {
    const h = await makeHarness({ watchFactory: droppingFactory });
    await mkdir(h.inbox, { recursive: true });
    await h.watcher.start();
    // Its event is dropped and no periodic rescan is due: only the rescan that follows the reload finds it.
    await writeFile(join(h.inbox, 'missed-during-reload.mov'), DATA);
    await h.watcher.setFolders([{ name: 'main', inbox: h.inbox, poll: true }]);
    expect(h.watcher.status()[0]?.state).toBe('polling');
    await waitFor(() => h.emitted.length > 0, 'the file dropped around the reload');
    expect(h.names()).toEqual(['missed-during-reload.mov']);
  });

  it('after close() nothing more is emitted', async () => {
    const h = await makeHarness();
    await mkdir(h.inbox, { recursive: true });
    await writeFile(join(h.inbox, 'pending.mov'), DATA);
    await h.watcher.start();
    await h.watcher.close();
    await writeFile(join(h.inbox, 'after-close.mov'), DATA);
    await quiet();
    expect(h.emitted).toEqual([]);
  });
});
