import { describe, expect, it } from 'vitest';
import { matchesGlobs, matchesRule } from '../../../src/rules/match.js';
import { DEFAULT_MATCH } from '../../../src/rules/rule-schema.js';

describe('matchesRule', () => {
  it.each([
    ['clip.avi', ['*.avi'], true],
    ['CLIP.AVI', ['*.avi'], true],
    ['Clip.Mov', ['*.mov'], true],
    ['clip.mov', ['*.avi'], false],
    ['clip.avi.part', ['*.avi'], false],
    ['.hidden.avi', ['*.avi'], false],
    ['sub/dir/clip.avi', ['*.avi'], true],
    ['sub/clip.avi', ['other/*.avi'], false],
    ['other/clip.avi', ['other/*.avi'], true],
    ['holiday 2024 (1).mkv', ['holiday*.mkv'], true],
    ['clip.webm', ['*.{webm,mkv}'], true],
    ['clip.MKV', ['*.{webm,mkv}'], true],
    ['notes.txt', ['*.avi', '*.mov'], false],
  ])('%s against %j → %s', (name, globs, expected) => {
    expect(matchesRule({ match: globs }, name)).toBe(expected);
  });

  it.each([
    ['a.mp4', true],
    ['a.MOV', true],
    ['a.avi', true],
    ['a.webm', true],
    ['a.mkv', true],
    ['a.jpg', false],
    ['a.mp3', false],
    ['a.m4v', false],
    ['a.mp4.crdownload', false],
  ])('default match takes the accepted video formats: %s → %s', (name, expected) => {
    expect(matchesGlobs(DEFAULT_MATCH, name)).toBe(expected);
  });
});
