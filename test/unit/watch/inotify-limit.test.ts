import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inotifyAdvice, readInotifyLimit } from '../../../src/watch/inotify-limit.js';

describe('inotifyAdvice', () => {
  it.each<[number, number | undefined, number | undefined]>([
    [10, 8192, undefined],
    [4095, 8192, undefined],
    [4096, 8192, 524_288],
    [9000, 8192, 524_288],
    [200_000, 262_144, 1_048_576],
    [10, undefined, undefined],
  ])('%i directories against a limit of %s → suggest %s', (dirs, limit, suggested) => {
    const advice = inotifyAdvice(dirs, limit);
    expect(advice?.suggested).toBe(suggested);
    if (advice) expect(advice.hint).toContain(`sysctl fs.inotify.max_user_watches=${suggested}`);
  });
});

describe('readInotifyLimit', () => {
  it('reads the number, and answers undefined when the file is missing or garbage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vi-inotify-'));
    try {
      await writeFile(join(dir, 'ok'), '65536\n');
      await writeFile(join(dir, 'bad'), 'lots\n');
      expect(await readInotifyLimit(join(dir, 'ok'))).toBe(65536);
      expect(await readInotifyLimit(join(dir, 'bad'))).toBeUndefined();
      expect(await readInotifyLimit(join(dir, 'missing'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
