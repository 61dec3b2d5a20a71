import { describe, expect, it } from 'vitest';
import { outermostFolders, relativeToInbox } from '../../../src/watch/scan-folder.js';

describe('outermostFolders', () => {
  it.each<[string[], string[]]>([
    [[], []],
    [['/in/a'], ['/in/a']],
    [['/in/a/b/c', '/in/a', '/in/a/b'], ['/in/a']],
    [
      ['/in/a/b', '/in/a-x', '/in/a'],
      ['/in/a', '/in/a-x'],
    ],
    [
      ['/in/ab/c', '/in/a'],
      ['/in/a', '/in/ab/c'],
    ],
    [['/in/x', '/in/x'], ['/in/x']],
  ])('%j → %j', (dirs, expected) => {
    expect(outermostFolders(dirs).sort()).toEqual(expected.sort());
  });
});

describe('relativeToInbox', () => {
  it.each([
    ['/in', '/in/clip.mov', 'clip.mov'],
    ['/in', '/in/trip/clip.mov', 'trip/clip.mov'],
    ['/in', '/in', ''],
    ['/in', '/other/clip.mov', '../other/clip.mov'],
  ])('%s + %s → %s', (root, path, rel) => {
    expect(relativeToInbox(root, path)).toBe(rel);
  });
});
