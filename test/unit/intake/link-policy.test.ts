import { describe, expect, it } from 'vitest';
import { linkVerdict } from '../../../src/intake/link-policy.js';

describe('linkVerdict', () => {
  it.each<[string, { real: string } | { errno: string }, string, RegExp?]>([
    ['a link to a file in the inbox', { real: '/in/box/clip.mp4' }, 'take'],
    ['a link to a file in a subfolder', { real: '/in/box/sub/clip.mp4' }, 'take'],
    ['a link out of the inbox', { real: '/etc/passwd' }, 'set-aside', /outside the inbox/],
    ['a link to a sibling with the inbox as prefix', { real: '/in/box2/clip.mp4' }, 'set-aside', /outside/],
    ['a link to the inbox itself', { real: '/in/box' }, 'set-aside', /outside/],
    ['a looping link', { errno: 'ELOOP' }, 'set-aside', /loops/],
    ['a dangling link', { errno: 'ENOENT' }, 'set-aside', /link to nothing/],
  ])('%s → %s', (_what, target, kind, message) => {
    const v = linkVerdict('/in/box', target);
    expect(v.kind).toBe(kind);
    if (v.kind === 'set-aside') expect(v.message).toMatch(message!);
  });
});
