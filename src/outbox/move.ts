import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import { fsyncDir, fsyncFile } from '../core/fsync.js';
import { ensureFreeSpace } from './free-space.js';
import { numberedName } from './numbered-name.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

const MAX_NUMBER = 9999;
/** Errors meaning "this file system has no hard links" (FAT, exFAT, some network shares). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

export interface MoveOptions {
  /** Checks a copy made across devices before the original is removed; throws if it is not good. */
  verifyCopy?: (copy: string) => Promise<void>;
  /**
   * Called once the final name holds the file but before the old name is removed, so a caller can
   * record the final path (in the journal) while a crash still leaves a way back to it.
   */
  onPlaced?: (path: string) => Promise<void>;
  /**
   * On a file system without hard links: called once the final name is reserved (an empty file) and
   * before `from` is renamed over it, with `from`'s size and mtime (which the rename keeps), so a
   * caller can record the reservation and a crash in between can be told apart afterwards.
   */
  onReserved?: (path: string, file: { size: number; mtimeMs: number }) => Promise<void>;
}

type PlaceHooks = Pick<MoveOptions, 'onPlaced' | 'onReserved'>;

/**
 * Moves `from` into `dir` under `name`, or the first free numbered variant, and never replaces an
 * existing file. Across devices it copies to a hidden temp in `dir`, flushes and checks the copy,
 * places it, and only then removes the original (the order that loses nothing when interrupted).
 */
export async function moveNoClobber(
  fs: OutboxFs,
  from: string,
  dir: string,
  name: string,
  opts: MoveOptions = {},
): Promise<string> {
  await fs.mkdir(dir);
  let placed: string;
  const entry = await fs.lstat(from).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    placed = await moveLink(fs, from, dir, name, opts.onPlaced);
  } else {
    try {
      placed = await placeNoClobber(fs, from, dir, name, opts);
    } catch (err) {
      if (errnoCode(err) !== 'EXDEV') throw err;
      placed = await moveAcrossDevices(fs, from, dir, name, opts);
    }
  }
  await fsyncDir(dir);
  await fsyncDir(dirname(from)).catch(() => undefined);
  return placed;
}

/**
 * Same-device move without clobbering: hard-link to the free name (atomic, fails if taken), then
 * unlink the old name. If the name already holds this very file (an earlier run linked it and was
 * interrupted before the unlink), that is the placement. File systems without hard links reserve
 * the name with an exclusive create and rename over their own empty placeholder.
 */
export async function placeNoClobber(
  fs: OutboxFs,
  from: string,
  dir: string,
  name: string,
  hooks: PlaceHooks = {},
): Promise<string> {
  const { onPlaced } = hooks;
  for (let n = 0; n <= MAX_NUMBER; n++) {
    const candidate = join(dir, numberedName(name, n));
    if (resolve(candidate) === resolve(from)) {
      await onPlaced?.(from);
      return from;
    }
    try {
      await fs.link(from, candidate);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') {
        const relation = await relationOf(fs, from, candidate);
        if (relation === 'same-entry') {
          // One directory entry under two spellings (a case-insensitive disk): it is already there,
          // and unlinking "the other name" would delete the only copy.
          await onPlaced?.(from);
          return from;
        }
        if (relation === 'linked') {
          await onPlaced?.(candidate);
          await fs.unlink(from);
          return candidate;
        }
        continue;
      }
      if (code !== undefined && NO_LINKS.has(code)) return reserveAndRename(fs, from, dir, name, n, hooks);
      throw err;
    }
    await onPlaced?.(candidate);
    await fs.unlink(from);
    return candidate;
  }
  throw tooManyNames(dir, name);
}

/**
 * Moves a symbolic link (never the file it points to) as a new link in `dir` saying the absolute path
 * of its target, then removes the old one: a relative link (`../clip.mp4`) moved one folder down would
 * otherwise point at another file or at nothing. The target is taken from the real path of the link's
 * folder, as the kernel resolves it. A name already holding a link to that very target (an earlier run
 * stopped before the old link went) is that placement.
 */
async function moveLink(
  fs: OutboxFs,
  from: string,
  dir: string,
  name: string,
  onPlaced?: (path: string) => Promise<void>,
): Promise<string> {
  const text = await fs.readlink(from);
  const target = isAbsolute(text) ? text : resolve(await fs.realpath(dirname(from)), text);
  for (let n = 0; n <= MAX_NUMBER; n++) {
    const candidate = join(dir, numberedName(name, n));
    if (resolve(candidate) === resolve(from)) {
      await onPlaced?.(from);
      return from;
    }
    try {
      await fs.symlink(target, candidate);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const there = await fs.readlink(candidate).catch(() => undefined);
      if (there !== target) continue;
    }
    await onPlaced?.(candidate);
    await fs.unlink(from);
    return candidate;
  }
  throw tooManyNames(dir, name);
}

async function reserveAndRename(
  fs: OutboxFs,
  from: string,
  dir: string,
  name: string,
  start: number,
  hooks: PlaceHooks,
): Promise<string> {
  const file = await fs.stat(from);
  for (let n = start; n <= MAX_NUMBER; n++) {
    const candidate = join(dir, numberedName(name, n));
    try {
      await fs.createExclusive(candidate);
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') continue;
      throw err;
    }
    try {
      await hooks.onReserved?.(candidate, { size: file.size, mtimeMs: file.mtimeMs });
      await fs.rename(from, candidate);
    } catch (err) {
      // Only its own empty placeholder goes: a file with bytes there now is someone else's move.
      const there = await fs.stat(candidate).catch(() => undefined);
      if (there?.size === 0) await fs.unlink(candidate).catch(() => undefined);
      throw err;
    }
    await hooks.onPlaced?.(candidate);
    return candidate;
  }
  throw tooManyNames(dir, name);
}

async function moveAcrossDevices(
  fs: OutboxFs,
  from: string,
  dir: string,
  name: string,
  opts: MoveOptions,
): Promise<string> {
  const copy = join(dir, `.video-inbox-${randomUUID()}.partial${extname(name)}`);
  let placed: string;
  await ensureFreeSpace(dir, (await fs.stat(from)).size, { fs });
  try {
    await fs.copyFile(from, copy, constants.COPYFILE_EXCL);
    await fsyncFile(copy);
    const [a, b] = await Promise.all([fs.stat(from), fs.stat(copy)]);
    if (a.size !== b.size) {
      throw new VideoInboxError('INTERNAL', `The copy of ${from} is incomplete`, {
        context: { from, expected: a.size, got: b.size },
        retryable: true,
      });
    }
    await opts.verifyCopy?.(copy);
    placed = await placeNoClobber(fs, copy, dir, name, opts);
  } catch (err) {
    await fs.unlink(copy).catch(() => undefined);
    throw err;
  }
  await fs.unlink(from);
  return placed;
}

/**
 * How two names relate: two links to one file (an interrupted move: the old name can go), one
 * directory entry (same inode, a single link), or different files.
 */
async function relationOf(
  fs: OutboxFs,
  a: string,
  b: string,
): Promise<'linked' | 'same-entry' | 'different'> {
  try {
    const [x, y] = await Promise.all([fs.stat(a), fs.stat(b)]);
    if (x.dev !== y.dev || x.ino !== y.ino) return 'different';
    return x.nlink > 1 ? 'linked' : 'same-entry';
  } catch {
    return 'different';
  }
}

function tooManyNames(dir: string, name: string): VideoInboxError {
  return new VideoInboxError('INTERNAL', `No free name for ${name} in ${dir}`, {
    context: { dir, name },
    hint: 'Clear out old files with that name from the folder, then retry.',
  });
}
