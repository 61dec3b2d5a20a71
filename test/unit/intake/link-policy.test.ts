import { describe, expect, it } from 'vitest';
import { linkPolicyText, linkVerdict, type LinkPolicy } from '../../../src/intake/link-policy.js';

const never: LinkPolicy['never'] = [
  { real: '/out/box', what: 'outbox' },
  { real: '/var/state', what: 'state dir' },
];

describe('linkVerdict', () => {
  it.each<[string, { real: string } | { errno: string }, string, RegExp?]>([
    ['a link to a file in the inbox', { real: '/in/box/clip.mp4' }, 'take'],
    ['a link to a file in a subfolder', { real: '/in/box/sub/clip.mp4' }, 'take'],
    ['a link out of the inbox', { real: '/etc/passwd' }, 'set-aside', /outside the inbox/],
    ['a link to a sibling with the inbox as prefix', { real: '/in/box2/clip.mp4' }, 'set-aside', /outside/],
    ['a link to the inbox itself', { real: '/in/box' }, 'set-aside', /outside/],
    ['a looping link', { errno: 'ELOOP' }, 'set-aside', /loops/],
    ['a dangling link', { errno: 'ENOENT' }, 'set-aside', /link to nothing/],
  ])('default policy: %s → %s', (_what, target, kind, message) => {
    const v = linkVerdict('/in/box', target);
    expect(v.kind).toBe(kind);
    if (v.kind === 'set-aside') expect(v.message).toMatch(message!);
  });

  it.each<[string, boolean, { real: string } | { errno: string }, string, RegExp?]>([
    ['followLinks: a link out of the inbox', true, { real: '/home/me/clip.mp4' }, 'take'],
    ['followLinks: a link in the inbox', true, { real: '/in/box/clip.mp4' }, 'take'],
    [
      'followLinks: a link into the outbox',
      true,
      { real: '/out/box/clip.mp4' },
      'set-aside',
      /into the outbox/,
    ],
    ['followLinks: a link to the outbox itself', true, { real: '/out/box' }, 'set-aside', /outbox/],
    [
      'followLinks: a link into the state dir',
      true,
      { real: '/var/state/journal' },
      'set-aside',
      /state dir/,
    ],
    ['followLinks: a sibling of the outbox', true, { real: '/out/box2/clip.mp4' }, 'take'],
    ['followLinks: a looping link', true, { errno: 'ELOOP' }, 'set-aside', /loops/],
    ['followLinks: a dangling link', true, { errno: 'ENOENT' }, 'set-aside', /target is missing/],
    ['followLinks: the inbox itself', true, { real: '/in/box' }, 'set-aside', /outside/],
    ['no followLinks: a link into the outbox', false, { real: '/out/box/a.mp4' }, 'set-aside', /outbox/],
    [
      'no followLinks: a link out of the inbox',
      false,
      { real: '/home/me/a.mp4' },
      'set-aside',
      /followLinks/,
    ],
  ])('%s → %s', (_what, followLinks, target, kind, message) => {
    const v = linkVerdict('/in/box', target, { followLinks, never });
    expect(v.kind).toBe(kind);
    if (v.kind === 'set-aside') expect(`${v.message} ${v.hint}`).toMatch(message!);
  });

  it('a state dir inside the inbox still refuses links into it', () => {
    const v = linkVerdict(
      '/in/box',
      { real: '/in/box/.state/journal' },
      {
        followLinks: false,
        never: [{ real: '/in/box/.state', what: 'state dir' }],
      },
    );
    expect(v.kind).toBe('set-aside');
  });

  it('the policy text names the setting and its value', () => {
    expect(linkPolicyText({ followLinks: true })).toMatch(/^followLinks: true/);
    expect(linkPolicyText({ followLinks: false })).toMatch(/^followLinks: false/);
  });
});
