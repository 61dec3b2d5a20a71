import { describe, expect, it } from 'vitest';
import { shellSafeText } from '../../../src/notify/safe-text.js';

const SAFE = /^[\p{L}\p{M}\p{N} .,:_+=/()[\]@%#~?→-]+$/u;

// Defect 13: file names reach `notify-send` through `/bin/sh -c`; only safe text may.
describe('shellSafeText', () => {
  it.each([
    ['$(touch x).mp4', '_(touch x).mp4'],
    ['`touch x`.mp4', '_touch x_.mp4'],
    ['"quoted".mp4', '_quoted_.mp4'],
    ["it's.mp4", 'it_s.mp4'],
    ['a; rm -rf ~.mp4', 'a_ rm -rf ~.mp4'],
    ['a && b | c > d < e.mp4', 'a __ b _ c _ d _ e.mp4'],
    ['line one\nline two\r\n.mp4', 'line one line two .mp4'],
    ['-rf.mp4', 'rf.mp4'],
    ['--help me.mp4', 'help me.mp4'],
    ['\\$HOME.mp4', '__HOME.mp4'],
    ['<b>bold</b> &amp;.mp4', '_b_bold_/b_ _amp_.mp4'],
    ['ü\u202Egnp.exe', 'ü_gnp.exe'],
    ['Urlaub 2024 (Kopie) – Ärger.mp4', 'Urlaub 2024 (Kopie) _ Ärger.mp4'],
    ['日本語のビデオ.mp4 → /out/日本語のビデオ.mp4', '日本語のビデオ.mp4 → /out/日本語のビデオ.mp4'],
    ['https://nemovideo.ai/register?bind=u1', 'https://nemovideo.ai/register?bind=u1'],
    ['', '_'],
    ['\n\n', '_'],
  ])('%j → %j', (input, expected) => {
    const out = shellSafeText(input);
    expect(out).toBe(expected);
    expect(out).toMatch(SAFE);
    expect(out.startsWith('-')).toBe(false);
  });

  it('caps very long text', () => {
    const out = shellSafeText('a'.repeat(5000));
    expect(out.length).toBe(400);
    expect(out.endsWith('...')).toBe(true);
  });
});
