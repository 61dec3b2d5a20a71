import { describe, expect, it } from 'vitest';
import { mayTake } from '../../../src/rules/may-take.js';
import { DEFAULT_MATCH } from '../../../src/rules/rule-schema.js';

describe('mayTake', () => {
  it.each([
    ['a video the rule matches', DEFAULT_MATCH, 'clip.mp4', true],
    ['matched in a subfolder, any case', DEFAULT_MATCH, 'trip/day 1/CLIP.MOV', true],
    ['a video no rule matches still reaches intake', DEFAULT_MATCH, 'old/tape.wmv', true],
    ['an AVCHD clip with a narrow rule', ['*.mp4'], 'CAM/00001.MTS', true],
    ['a photo', DEFAULT_MATCH, 'album 3/IMG_0001.jpg', false],
    ['a note', DEFAULT_MATCH, 'notes.txt', false],
    ['a name without extension', DEFAULT_MATCH, 'README', false],
    ['a note a rule takes by name', ['*.mp4', '*.txt'], 'notes/todo.txt', true],
    ['a note a rule takes by path', ['scans/*.txt'], 'scans/todo.txt', true],
    ['the same glob elsewhere', ['scans/*.txt'], 'other/todo.txt', false],
    ['a rule that takes everything', ['*'], 'IMG_1.jpg', true],
    ['an empty match list still lets videos through', [], 'clip.mkv', true],
    ['an empty match list takes nothing else', [], 'clip.jpg', false],
  ])('%s: %s, %s → %s', (_what, match, rel, expected) => {
    expect(mayTake(match, rel)).toBe(expected);
  });
});
