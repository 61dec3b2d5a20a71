import { describe, expect, it } from 'vitest';
import { checkIdentity, compareIdentity, type SourceStat } from '../../../src/outbox/source-identity.js';

const taken = { size: 100, mtimeMs: 5000, dev: 1, ino: 42, ctimeMs: 6000, contentHash: 'c' };
const now = (over: Partial<SourceStat> = {}): SourceStat => ({
  size: 100,
  mtimeMs: 5000,
  dev: 1,
  ino: 42,
  ctimeMs: 6000,
  ...over,
});

describe('compareIdentity', () => {
  it.each([
    ['the same file, untouched', taken, now(), 'same'],
    ['another size', taken, now({ size: 101 }), 'changed'],
    ['another mtime', taken, now({ mtimeMs: 5001 }), 'changed'],
    ['another inode (renamed over, mv -f)', taken, now({ ino: 43 }), 'changed'],
    ['another device', taken, now({ dev: 2 }), 'changed'],
    ['written in place, stamps restored (touch -r)', taken, now({ ctimeMs: 7000 }), 'unsure'],
    ['a record without inode', { size: 100, mtimeMs: 5000 }, now(), 'unsure'],
    ['a record without ctime', { ...taken, ctimeMs: undefined }, now(), 'unsure'],
  ] as const)('%s', (_what, t, n, verdict) => {
    expect(compareIdentity(t, n)).toBe(verdict);
  });
});

describe('checkIdentity', () => {
  const ports = (st: SourceStat | Error, hash?: string) => ({
    stat: () => (st instanceof Error ? Promise.reject(st) : Promise.resolve(st)),
    hashFile: hash === undefined ? undefined : () => Promise.resolve(hash),
  });
  it('lets the content hash decide when in doubt', async () => {
    expect(await checkIdentity(ports(now({ ctimeMs: 7000 }), 'c'), 'f', taken)).toBe('same');
    expect(await checkIdentity(ports(now({ ctimeMs: 7000 }), 'd'), 'f', taken)).toBe('changed');
  });
  it('keeps a doubtful file it cannot hash; judges an old record by its stamps', async () => {
    expect(await checkIdentity(ports(now({ ctimeMs: 7000 })), 'f', taken)).toBe('changed');
    expect(await checkIdentity(ports(now()), 'f', { size: 100, mtimeMs: 5000 })).toBe('same');
  });
  it('says gone for a missing file and throws other errors', async () => {
    const gone = Object.assign(new Error('x'), { code: 'ENOENT' });
    expect(await checkIdentity(ports(gone), 'f', taken)).toBe('gone');
    const denied = Object.assign(new Error('x'), { code: 'EACCES' });
    await expect(checkIdentity(ports(denied), 'f', taken)).rejects.toThrow('x');
  });
});
