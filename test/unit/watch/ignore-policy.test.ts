import { describe, expect, it } from 'vitest';
import { isIgnoredRelative } from '../../../src/watch/ignore-policy.js';

describe('isIgnoredRelative', () => {
  it.each([
    '.hidden.mov',
    '.DS_Store',
    '._clip.mov',
    'clip.mov.part',
    'clip.MOV.PART',
    'clip.mp4.crdownload',
    'clip.tmp',
    'clip.mov.partial',
    '~$report.mov',
    'Thumbs.db',
    'thumbs.db',
    'desktop.ini',
    '_done',
    '_done/clip.mov',
    '_failed/clip.mov',
    '_failed/clip.mov.error.txt',
    '.sync/clip.mov',
    'trip/.cache/clip.mov',
    'trip/.hidden.mov',
    '@eaDir/clip.mov/SYNOFILE_THUMB_M.jpg',
    '#recycle/clip.mov',
    '$RECYCLE.BIN/clip.mov',
  ])('ignores %s', (rel) => {
    expect(isIgnoredRelative(rel)).toBe(true);
  });

  it.each([
    'clip.mov',
    'Holiday 2024.avi',
    'trip/clip.mov',
    // The daemon's folders are only special at the inbox root.
    'trip/_done/clip.mov',
    'done/clip.mov',
    'my_done_clip.mov',
    // Defect 7: only the exact folders are the daemon's; names that start like them are the user's.
    '_done-holiday.mp4',
    '_donee.mov',
    '_failed_take2.avi',
    '_done 2/clip.mov',
    '_failed-old/x.avi',
    'part.mov',
    'clip.tmp.mov',
    'a~$b.mov',
    '',
  ])('takes %s', (rel) => {
    expect(isIgnoredRelative(rel)).toBe(false);
  });
});
