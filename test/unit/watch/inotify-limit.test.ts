import { describe, expect, it } from 'vitest';
import { inotifyAdvice } from '../../../src/watch/inotify-limit.js';

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
