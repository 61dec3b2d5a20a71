import { describe, expect, it } from 'vitest';
import { escapedName, isUndecodable, readableName } from '../../../src/watch/undecodable-name.js';

const b = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

// Defect 7: names that are not valid UTF-8 get a readable name instead of being skipped in silence.
describe('names that are not valid UTF-8', () => {
  it.each([
    [b('caf', [0xe9], '.avi'), true, 'café.avi', 'caf\\xE9.avi'],
    [b('café.avi'), false, 'café.avi', 'café.avi'],
    [b('a', [0x80, 0x9f], 'b.mov'), true, 'a__b.mov', 'a\\x80\\x9Fb.mov'],
    [b('ok ', [0xc3], '.mp4'), true, 'ok Ã.mp4', 'ok \\xC3.mp4'],
    [b('mixed ü ', [0xfc], '.mp4'), true, 'mixed ü ü.mp4', 'mixed ü \\xFC.mp4'],
    [b([0xed, 0xa0, 0x80], '.mp4'), true, 'í__.mp4', '\\xED\\xA0\\x80.mp4'],
    [b('日本', [0xff], '.mkv'), true, '日本ÿ.mkv', '日本\\xFF.mkv'],
  ])('%o', (raw, undecodable, readable, escaped) => {
    expect(isUndecodable(raw)).toBe(undecodable);
    expect(readableName(raw)).toBe(readable);
    expect(escapedName(raw)).toBe(escaped);
    expect(isUndecodable(Buffer.from(readableName(raw)))).toBe(false);
  });
});
