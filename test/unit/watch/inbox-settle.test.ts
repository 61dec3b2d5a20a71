import { describe, expect, it } from 'vitest';
import { InboxSettle, type FileProbe, type PassGuard } from '../../../src/watch/inbox-settle.js';
import type { CompleteFile } from '../../../src/watch/types.js';
import { captureLog } from '../../helpers/capture-log.js';
import { fakeClock } from '../../helpers/fake-clock.js';

const SETTLE = 1000;
const INBOX = '/in';
const A = '/in/a.mov';

interface Entry {
  size: number;
  mtimeMs?: number;
  ino?: number;
  dir?: boolean;
}

/** A file system in memory: entries by path, plus which are locked or open for writing. */
function world() {
  const files = new Map<string, Entry>();
  const locked = new Set<string>();
  const writing = new Set<string>();
  /** Symbolic links whose target fails to stat (ELOOP for a loop, ENOENT for a dangling link). */
  const brokenLinks = new Map<string, 'ELOOP' | 'ENOENT'>();
  const probe: FileProbe = {
    stat: (path) => {
      const broken = brokenLinks.get(path);
      if (broken) return Promise.reject(Object.assign(new Error('broken link'), { code: broken }));
      const e = files.get(path);
      if (!e) return Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }));
      return Promise.resolve({
        size: e.size,
        mtimeMs: e.mtimeMs ?? 1,
        ino: e.ino ?? 7,
        isFile: () => e.dir !== true,
      });
    },
    lstat: (path) => {
      if (!brokenLinks.has(path) && !files.has(path))
        return Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }));
      const link = brokenLinks.has(path);
      return Promise.resolve({ size: link ? 12 : 10, mtimeMs: 3, ino: 4, isSymbolicLink: () => link });
    },
    writers: (paths) => {
      writersAsked.push(...paths);
      return Promise.resolve(new Set(paths.filter((p) => writing.has(p))));
    },
    openForReading: (path) => {
      opened.push(path);
      return Promise.resolve(locked.has(path) ? { ok: false, code: 'EBUSY' } : { ok: true });
    },
  };
  const opened: string[] = [];
  const writersAsked: string[] = [];
  return { files, locked, writing, brokenLinks, opened, writersAsked, probe };
}

function settle(w: ReturnType<typeof world>, onFile?: (f: CompleteFile) => void) {
  const clock = fakeClock({ start: 1_000_000 });
  const logs = captureLog();
  const emitted: CompleteFile[] = [];
  const s = new InboxSettle(
    { folder: 'main', inbox: INBOX },
    {
      clock,
      log: logs.log,
      probe: w.probe,
      settleMs: SETTLE,
      emptySettleMs: SETTLE * 10,
      isIgnored: (rel) => rel.endsWith('.txt'),
      onFile: (f) => {
        emitted.push(f);
        onFile?.(f);
      },
    },
  );
  let inboxThere = true;
  const guard: PassGuard = { running: () => true, inboxPresent: () => Promise.resolve(inboxThere) };
  /** Advances the clock by `ms`, then runs one pass. */
  const after = async (ms: number) => {
    clock.advance(ms);
    await s.pass(guard);
  };
  return {
    s,
    emitted,
    after,
    setInbox: (there: boolean) => void (inboxThere = there),
    messages: () => logs.entries().map((e) => e.msg),
    codes: () => logs.entries().map((e) => e.code),
  };
}

describe('inbox settle: a file is handed over once, only when complete', () => {
  it('a file stable for the window is handed over once, with its fingerprint', async () => {
    const w = world();
    w.files.set(A, { size: 10, mtimeMs: 5, ino: 9 });
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    await t.after(SETTLE - 1);
    expect(t.emitted).toEqual([]);
    await t.after(1);
    await t.after(SETTLE);
    t.s.offer(A);
    await t.after(SETTLE * 2);
    expect(t.emitted).toEqual([{ folder: 'main', path: A, size: 10, mtimeMs: 5, ino: 9 }]);
  });

  it.each<[string, (w: ReturnType<typeof world>) => void]>([
    ['still growing', (w) => w.files.set(A, { size: 20 })],
    ['rewritten in place (mtime moved)', (w) => w.files.set(A, { size: 10, mtimeMs: 2 })],
    ['replaced by another file (new inode)', (w) => w.files.set(A, { size: 10, ino: 8 })],
  ])('a file %s during the window starts a new window', async (_what, change) => {
    const w = world();
    w.files.set(A, { size: 10 });
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    change(w);
    await t.after(SETTLE);
    expect(t.emitted).toEqual([]);
    await t.after(SETTLE);
    expect(t.emitted).toHaveLength(1);
  });

  it.each<[string, (w: ReturnType<typeof world>) => void, string]>([
    ['cannot be opened yet', (w) => w.locked.add(A), 'EBUSY'],
    ['is held open for writing', (w) => w.writing.add(A), 'OPEN_FOR_WRITING'],
  ])('a stable file that %s waits, said once, and is taken once free', async (_what, busy, code) => {
    const w = world();
    w.files.set(A, { size: 10 });
    busy(w);
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    for (let i = 0; i < 4; i++) await t.after(SETTLE);
    expect(t.emitted).toEqual([]);
    expect(t.messages()).toEqual(['File is complete but still busy; waiting']);
    expect(t.codes()).toEqual([code]);
    w.locked.clear();
    w.writing.clear();
    await t.after(SETTLE);
    expect(t.emitted).toHaveLength(1);
  });

  it.each(['ELOOP', 'ENOENT'] as const)(
    'a symbolic link whose target fails with %s is handed over after the window, never opened',
    async (code) => {
      const w = world();
      w.brokenLinks.set(A, code);
      const t = settle(w);
      t.s.offer(A);
      await t.after(0);
      await t.after(SETTLE - 1);
      expect(t.emitted).toEqual([]);
      await t.after(1);
      expect(t.emitted).toEqual([{ folder: 'main', path: A, size: 12, mtimeMs: 3, ino: 4 }]);
      expect(w.opened).toEqual([]);
      expect(w.writersAsked).toEqual([]);
      // Once per version, like any file.
      t.s.offer(A);
      await t.after(SETTLE * 2);
      expect(t.emitted).toHaveLength(1);
    },
  );

  it('a file that vanished (not a link) is forgotten, never handed over', async () => {
    const w = world();
    w.files.set(A, { size: 10 });
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    w.files.delete(A);
    await t.after(SETTLE);
    await t.after(SETTLE);
    expect(t.emitted).toEqual([]);
    expect(t.s.pendingCount).toBe(0);
  });

  it('an empty file waits for the long window, then is handed over as empty', async () => {
    const w = world();
    w.files.set(A, { size: 0 });
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    for (let i = 0; i < 9; i++) await t.after(SETTLE);
    expect(t.emitted).toEqual([]);
    await t.after(SETTLE);
    expect(t.emitted.map((f) => f.size)).toEqual([0]);
    expect(t.messages()).toContain('File stayed empty; handing it over as empty');
  });

  it('a file that vanished from a present inbox is dropped', async () => {
    const w = world();
    const t = settle(w);
    t.s.offer(A);
    await t.after(0);
    expect(t.s.pendingCount).toBe(0);
  });

  it('a file that vanished with its whole inbox is kept until the inbox is back', async () => {
    const w = world();
    const t = settle(w);
    t.s.offer(A);
    t.setInbox(false);
    await t.after(0);
    expect(t.s.pendingCount).toBe(1);
    w.files.set(A, { size: 10 });
    t.setInbox(true);
    await t.after(0);
    await t.after(SETTLE);
    expect(t.emitted).toHaveLength(1);
  });

  it('a folder, an ignored name, or a path outside the inbox is never a candidate', async () => {
    const w = world();
    w.files.set('/in/sub', { size: 4096, dir: true });
    const t = settle(w);
    for (const path of ['/in/sub', '/in/notes.txt', '/in/.DS_Store', '/elsewhere/a.mov', INBOX])
      t.s.offer(path);
    expect(t.s.pendingCount).toBe(1);
    await t.after(0);
    expect(t.s.pendingCount).toBe(0);
  });

  it('a consumer that throws does not stop the others from being handed over', async () => {
    const w = world();
    w.files.set(A, { size: 10 });
    w.files.set('/in/b.mov', { size: 10 });
    const t = settle(w, (f) => {
      if (f.path === A) throw new Error('consumer broke');
    });
    t.s.offer(A);
    t.s.offer('/in/b.mov');
    await t.after(0);
    await t.after(SETTLE);
    expect(t.emitted.map((f) => f.path)).toEqual([A, '/in/b.mov']);
    expect(t.messages()).toContain('Handling a complete file failed');
  });

  it('a scanned version already handed over is not offered again; a forgotten one is', async () => {
    const w = world();
    w.files.set(A, { size: 10 });
    const t = settle(w);
    const fp = { size: 10, mtimeMs: 1, ino: 7 };
    t.s.offerScanned([{ path: A, fp }]);
    await t.after(SETTLE);
    expect(t.emitted).toHaveLength(1);
    t.s.offerScanned([{ path: A, fp }]);
    expect(t.s.pendingCount).toBe(0);
    t.s.forgetEmitted(A);
    t.s.offerScanned([{ path: A, fp }]);
    await t.after(SETTLE);
    expect(t.emitted).toHaveLength(2);
  });
});
