import { describe, expect, it } from 'vitest';
import { errorReportName, fitName, NAME_MAX_BYTES } from '../../../src/core/fit-name.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const n246 = `${'n'.repeat(246)}.avi`; // 250 bytes
const n251 = `${'v'.repeat(251)}.mp4`; // 255 bytes
const e2 = `${'é'.repeat(125)}.mp4`; // 2-byte characters, 254 bytes
const emoji = `${'😀'.repeat(62)}x.mp4`; // 4-byte characters (surrogate pairs), 253 bytes

describe('fitName', () => {
  it.each<[string, string, Parameters<typeof fitName>[1], string]>([
    ['a short name is unchanged', 'clip.mp4', {}, 'clip.mp4'],
    ['a number goes before the extension', 'clip.mp4', { infix: ' (1)' }, 'clip (1).mp4'],
    ['a suffix goes after the name', 'clip.mp4', { suffix: '.error.txt' }, 'clip.mp4.error.txt'],
    ['a prefix goes first', 'clip.mp4', { prefix: '.', suffix: '.ab.tmp' }, '.clip.mp4.ab.tmp'],
    ['a name at the limit is unchanged', n251, {}, n251],
  ])('%s', (_what, name, parts, expected) => {
    expect(fitName(name, parts)).toBe(expected);
  });

  it.each<[string, string, Parameters<typeof fitName>[1], string]>([
    ['.error.txt beside a 250-byte name', n246, { suffix: '.error.txt' }, '.avi.error.txt'],
    ['a numbered 255-byte name', n251, { infix: ' (1)' }, ' (1).mp4'],
    ['a temp beside a 255-byte name', n251, { prefix: '.', suffix: '.1a2b3c4d.tmp' }, '.mp4.1a2b3c4d.tmp'],
    ['2-byte characters, numbered', e2, { infix: ' (12)' }, ' (12).mp4'],
    ['4-byte characters, with a suffix', emoji, { suffix: '.error.txt' }, '.mp4.error.txt'],
  ])('shortens %s to fit, keeping what follows the stem', (_what, name, parts, ending) => {
    const out = fitName(name, parts);
    expect(bytes(out)).toBeLessThanOrEqual(NAME_MAX_BYTES);
    expect(out.endsWith(ending)).toBe(true);
    expect(out.startsWith(parts?.prefix ?? '')).toBe(true);
    expect(out).toMatch(/~[0-9a-f]{8}/);
    // Never half a character: the result is valid UTF-8 that round-trips.
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // As much of the name as fits is kept.
    expect(bytes(out)).toBeGreaterThan(NAME_MAX_BYTES - 4);
  });

  it('keeps two long names that differ only at the end apart', () => {
    const a = `${'x'.repeat(260)}a.mp4`;
    const b = `${'x'.repeat(260)}b.mp4`;
    expect(fitName(a)).not.toBe(fitName(b));
    expect(fitName(a, { infix: ' (1)' })).not.toBe(fitName(a, { infix: ' (2)' }));
  });

  it('is deterministic (retry finds the report it wrote)', () => {
    expect(errorReportName(n246)).toBe(errorReportName(n246));
    expect(errorReportName('clip.mp4')).toBe('clip.mp4.error.txt');
  });

  it('treats an absurdly long "extension" as part of the name', () => {
    const name = `clip.${'e'.repeat(300)}`;
    expect(bytes(fitName(name, { infix: ' (1)' }))).toBeLessThanOrEqual(NAME_MAX_BYTES);
  });
});
