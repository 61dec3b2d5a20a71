import { describe, expect, it } from 'vitest';
import { ignoredReason } from '../../../src/intake/ignored.js';

const match = ['*.avi', '*.mov'];

describe('ignoredReason', () => {
  it.each([
    [
      'notes.txt',
      /notes\.txt is not a video by its name, and no rule in folder "main" matches it \(match: \*\.avi, \*\.mov\)/,
    ],
    ['trip/photo.JPG', /photo\.JPG is not a video by its name/],
    ['clip.avi.part', /clip\.avi\.part is never taken: its name ends in \.part/],
    ['.DS_Store', /hidden/],
    ['_failed/old.avi', /the daemon's own _failed\/ folder/],
    ['@eaDir/thumb.jpg', /housekeeping/],
  ])('%s is left alone, and why', (rel, why) => {
    expect(ignoredReason({ folder: 'main', rel, match })).toMatch(why);
  });

  it.each([
    ['clip.avi', 'a rule takes it'],
    ['CLIP.MOV', 'a rule takes it, whatever the case'],
    ['old.wmv', 'a video no rule takes is set aside, not ignored'],
  ])('%s is not ignored (%s)', (rel) => {
    expect(ignoredReason({ folder: 'main', rel, match })).toBeUndefined();
  });

  it('decides nothing while the rule file has not loaded', () => {
    expect(ignoredReason({ folder: 'main', rel: 'notes.txt', match: undefined })).toBeUndefined();
  });
});
