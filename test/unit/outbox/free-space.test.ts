import { describe, expect, it } from 'vitest';
import {
  ensureFreeSpace,
  expectedOutputBytes,
  formatBytes,
  freeSpaceMargin,
  freeSpaceShortfall,
} from '../../../src/outbox/free-space.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/outbox/outbox-fs.js';

const MIB = 1024 * 1024;

describe('free space policy', () => {
  it.each([
    [1000 * MIB, 100 * MIB, 64 * MIB, 0],
    [164 * MIB, 100 * MIB, 64 * MIB, 0],
    [163 * MIB, 100 * MIB, 64 * MIB, 1 * MIB],
    [0, 10, 5, 15],
  ])('free %i, need %i, margin %i → short %i', (free, needed, margin, short) => {
    expect(freeSpaceShortfall(free, needed, margin)).toBe(short);
  });

  it.each([
    [0, 64 * MIB],
    [100 * MIB, 64 * MIB],
    [10_000 * MIB, 500 * MIB],
  ])('margin for %i bytes is %i', (needed, margin) => {
    expect(freeSpaceMargin(needed)).toBe(margin);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [5 * MIB, '5.0 MB'],
    [3 * 1024 * MIB, '3.0 GB'],
  ])('formatBytes(%i) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('ensureFreeSpace', () => {
  const withFree = (bytes: number, seen: string[] = []): OutboxFs => ({
    ...nodeOutboxFs,
    statfs: (p) => {
      seen.push(p);
      if (p.includes('not-yet'))
        return Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
      return Promise.resolve({ bavail: bytes / 4096, bsize: 4096 });
    },
  });

  it('passes when there is room for the file and the margin', async () => {
    await expect(ensureFreeSpace('/out', 100 * MIB, { fs: withFree(200 * MIB) })).resolves.toBeUndefined();
  });

  it('throws DISK_FULL, retryable, with a hint saying how much to free', async () => {
    const err = await ensureFreeSpace('/out', 100 * MIB, { fs: withFree(100 * MIB) }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'DISK_FULL', retryable: true });
    expect((err as Error).message).toContain('/out');
    expect((err as { hint: string }).hint).toMatch(/Free at least 64\.0 MB .*\/out/);
  });

  it('measures a folder that does not exist yet at its nearest parent', async () => {
    const seen: string[] = [];
    await ensureFreeSpace('/out/not-yet/deeper', 1, { fs: withFree(200 * MIB, seen) });
    expect(seen.at(-1)).toBe('/out');
  });
});

// Defect 9: the margin is added once. A job's check is the estimate of its output plus the margin,
// so an outbox with under 128 MiB free still takes a small result.
describe('the space a job needs', () => {
  it.each([
    [0, 0],
    [31 * 1024, 47_616],
    [100 * MIB, 150 * MIB],
  ])('a %i-byte source is expected to give at most %i bytes', (source, out) => {
    expect(expectedOutputBytes(source)).toBe(out);
  });

  it('a 31 KB source passes with 100 MiB free: the margin is counted once', async () => {
    const fs: OutboxFs = {
      ...nodeOutboxFs,
      statfs: () => Promise.resolve({ bavail: (100 * MIB) / 4096, bsize: 4096 }),
    };
    await expect(ensureFreeSpace('/out', expectedOutputBytes(31 * 1024), { fs })).resolves.toBeUndefined();
  });
});
