import { describe, expect, it } from 'vitest';
import { findOverlaps, type FolderPlace } from '../../../src/config/folder-overlap.js';

const f = (name: string, inbox: string, outbox: string, ids: Partial<FolderPlace> = {}): FolderPlace => ({
  name,
  inbox,
  outbox,
  ...ids,
});

// Defect 4: the overlap policy, as a table. Real paths and device:inode identities come from
// realFolderPlaces; here they are given, so links and bind mounts are judged like plain paths.
describe('findOverlaps', () => {
  it.each([
    ['separate folders', [f('a', '/in/a', '/out'), f('b', '/in/b', '/out')], []],
    ['an outbox inside its own inbox', [f('a', '/in/a', '/in/a/out')], ['0.outbox outbox-in-inbox a']],
    ['an outbox equal to its inbox', [f('a', '/in', '/in')], ['0.outbox outbox-in-inbox a']],
    [
      'an outbox inside another inbox',
      [f('a', '/in/a', '/in/b/x'), f('b', '/in/b', '/out')],
      ['0.outbox outbox-in-inbox b'],
    ],
    ['a sibling with a common prefix', [f('a', '/in', '/in-out')], []],
    ['two folders on one inbox', [f('a', '/in', '/out'), f('b', '/in', '/out')], ['1.inbox same-inbox a']],
    [
      'an inbox inside another inbox',
      [f('a', '/in', '/out'), f('b', '/in/sub', '/out')],
      ['1.inbox inbox-in-inbox a'],
    ],
    [
      'an outbox reaching an inbox through a mount (same identity up its chain)',
      [f('a', '/in', '/view/out', { inboxId: '1:10', outboxChain: ['1:99', '1:10', '1:2'] })],
      ['0.outbox outbox-in-inbox a'],
    ],
    [
      'an inbox reaching another through a mount',
      [
        f('a', '/in', '/out', { inboxId: '1:10', inboxChain: ['1:10', '1:2'] }),
        f('b', '/view', '/out', { inboxId: '1:10', inboxChain: ['1:10', '1:2'] }),
      ],
      ['1.inbox same-inbox a'],
    ],
    [
      'identities that differ',
      [f('a', '/in', '/out', { inboxId: '1:10', inboxChain: ['1:10', '1:2'], outboxChain: ['1:11', '1:2'] })],
      [],
    ],
  ])('%s', (_label, folders, expected) => {
    expect(findOverlaps(folders).map((o) => `${o.index}.${o.key} ${o.kind} ${o.other}`)).toEqual(expected);
  });
});
