import { describe, expect, it } from 'vitest';
import { isPlainFileName, numberedName } from '../../../src/outbox/numbered-name.js';
import { inboxSubfolderTarget } from '../../../src/outbox/inbox-subfolder.js';

describe('numberedName', () => {
  it.each([
    ['clip.mp4', 0, 'clip.mp4'],
    ['clip.mp4', 1, 'clip (1).mp4'],
    ['clip.mp4', 12, 'clip (12).mp4'],
    ['my clip.final.mov', 2, 'my clip.final (2).mov'],
    ['noext', 1, 'noext (1)'],
    ['.hidden', 1, '.hidden (1)'],
    ['clip (1).mp4', 1, 'clip (1) (1).mp4'],
    ['vidéo été.mp4', 3, 'vidéo été (3).mp4'],
  ])('%s #%i → %s', (name, n, expected) => {
    expect(numberedName(name, n)).toBe(expected);
  });

  it('shortens a 255-byte name to fit when it needs a number, keeping the extension', () => {
    const out = numberedName(`${'v'.repeat(251)}.mp4`, 1);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(255);
    expect(out.endsWith(' (1).mp4')).toBe(true);
  });
});

describe('isPlainFileName', () => {
  it.each([
    ['clip.mp4', true],
    ['a b (1).mp4', true],
    ['', false],
    ['.', false],
    ['..', false],
    ['sub/clip.mp4', false],
    ['..\\clip.mp4', false],
    ['/etc/passwd', false],
  ])('%j → %s', (name, ok) => {
    expect(isPlainFileName(name)).toBe(ok);
  });
});

describe('inboxSubfolderTarget', () => {
  it.each([
    ['/in/clip.avi', '/in', '_done', '/in/_done', 'clip.avi'],
    ['/in/trip/day1/clip.avi', '/in', '_done', '/in/_done/trip/day1', 'clip.avi'],
    ['/in/clip.avi', '/in/', '_failed', '/in/_failed', 'clip.avi'],
    ['/elsewhere/clip.avi', '/in', '_failed', '/in/_failed', 'clip.avi'],
    ['/in-other/clip.avi', '/in', '_done', '/in/_done', 'clip.avi'],
    ['/in/_failed/clip.avi', '/in', '_failed', '/in/_failed', 'clip.avi'],
    ['/in/_failed/cam/clip.avi', '/in', '_failed', '/in/_failed/cam', 'clip.avi'],
    ['/in/_done/clip.avi', '/in', '_failed', '/in/_failed', 'clip.avi'],
    ['/in/cam/_failed/clip.avi', '/in', '_done', '/in/_done/cam/_failed', 'clip.avi'],
  ])('%s in %s → %s/%s', (source, inbox, sub, dir, name) => {
    expect(inboxSubfolderTarget(source, inbox, sub)).toEqual({ dir, name });
  });
});
