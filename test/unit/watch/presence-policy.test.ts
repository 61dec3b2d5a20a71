import { describe, expect, it } from 'vitest';
import {
  presenceVerdict,
  type InboxIdentity,
  type PresenceVerdict,
} from '../../../src/watch/presence-policy.js';

const id = (dev: number, ino: number, mountPoint?: string): InboxIdentity => ({ dev, ino, mountPoint });

describe('presenceVerdict', () => {
  it.each<[string, InboxIdentity, InboxIdentity, PresenceVerdict]>([
    ['nothing changed', id(1, 10, '/'), id(1, 10, '/'), 'same'],
    ['deleted and recreated on the same disk', id(1, 10, '/'), id(1, 11, '/'), 'recreated'],
    [
      'share unmounted: the inbox falls through to the root file system',
      id(5, 2, '/mnt/nas'),
      id(1, 99, '/'),
      'unmounted',
    ],
    [
      'share unmounted: the inbox is the mount point itself',
      id(5, 1, '/mnt/nas'),
      id(2, 40, '/mnt'),
      'unmounted',
    ],
    [
      'share mounted over a bare mount point: a new, deeper mount',
      id(1, 99, '/'),
      id(5, 2, '/mnt/nas'),
      'recreated',
    ],
    ['another share remounted at the same point', id(5, 2, '/mnt/nas'), id(6, 2, '/mnt/nas'), 'recreated'],
    ['device changed and mounts unknown', id(5, 2, undefined), id(6, 2, undefined), 'recreated'],
  ])('%s → %s', (_name, before, now, expected) => {
    expect(presenceVerdict(before, now)).toBe(expected);
  });
});
