import { describe, expect, it } from 'vitest';
import { InboxPresence, PRESENCE_TIMEOUT_MS, type DirStat } from '../../../src/watch/inbox-presence.js';
import type { InboxIdentity } from '../../../src/watch/presence-policy.js';
import { captureLog } from '../../helpers/capture-log.js';
import { fakeClock } from '../../helpers/fake-clock.js';

const INBOX = '/mnt/nas/inbox';
const dir = (dev: number, ino: number): DirStat => ({ dev, ino, isDirectory: () => true });
const file: DirStat = { dev: 5, ino: 2, isDirectory: () => false };
const failing = (code: string) => Object.assign(new Error(code), { code });

/** What stat says about the inbox now, and the mount point that holds it. */
interface World {
  stat: DirStat | Error;
  mountPoint: string | undefined;
}

function presence(world: World) {
  const logs = captureLog();
  const p = new InboxPresence(
    { folder: 'main', inbox: INBOX },
    {
      statDir: () => {
        return world.stat instanceof Error ? Promise.reject(world.stat) : Promise.resolve(world.stat);
      },
      mountPointOf: () => Promise.resolve(world.mountPoint),
      clock: fakeClock(),
      log: logs.log,
    },
  );
  const messages = () => logs.entries().map((e) => e.msg);
  return { p, messages };
}

const watchedOnShare: InboxIdentity = { dev: 5, ino: 2, mountPoint: '/mnt/nas' };

describe('inbox presence: what a look at the inbox means', () => {
  it.each<[string, boolean, World, string]>([
    ['present, same directory', true, { stat: dir(5, 2), mountPoint: '/mnt/nas' }, 'here'],
    ['present, deleted', true, { stat: failing('ENOENT'), mountPoint: '/' }, 'gone:ENOENT'],
    ['present, a file now sits at the path', true, { stat: file, mountPoint: '/mnt/nas' }, 'gone:ENOTDIR'],
    [
      'present, share unmounted (bare mount point shows)',
      true,
      { stat: dir(1, 99), mountPoint: '/' },
      'gone:UNMOUNTED',
    ],
    ['present, deleted and made again', true, { stat: dir(5, 3), mountPoint: '/mnt/nas' }, 'replaced'],
    ['missing, only the bare mount point', false, { stat: dir(1, 99), mountPoint: '/' }, 'still-unmounted'],
    ['missing, the share is back', false, { stat: dir(5, 2), mountPoint: '/mnt/nas' }, 'back'],
    [
      'missing, a new folder made on the same disk',
      false,
      { stat: dir(5, 7), mountPoint: '/mnt/nas' },
      'back',
    ],
  ])('%s → %s', async (_what, wasPresent, world, expected) => {
    const { p } = presence(world);
    p.remember(watchedOnShare);
    if (wasPresent) p.markBack();
    else p.markMissing('ENOENT');
    const look = await p.look();
    expect(look.kind === 'gone' ? `gone:${look.code}` : look.kind).toBe(expected);
  });

  it('an inbox never seen before is "back" as soon as it is a directory', async () => {
    const { p } = presence({ stat: dir(1, 1), mountPoint: '/' });
    expect(await p.look()).toEqual({ kind: 'back' });
  });

  it('an unexpected stat error is reported as such; an ordinary absence is not', async () => {
    const denied = presence({ stat: failing('EACCES'), mountPoint: '/' });
    expect(await denied.p.look()).toEqual({ kind: 'gone', code: 'EACCES' });
    expect(denied.messages()).toEqual(['Cannot check the inbox']);
    const deleted = presence({ stat: failing('ENOENT'), mountPoint: '/' });
    await deleted.p.look();
    expect(deleted.messages()).toEqual([]);
  });

  it('a share that stops answering counts as missing after the time-out, and is not stat-ed twice meanwhile', async () => {
    const clock = fakeClock();
    let stats = 0;
    const hung = new InboxPresence(
      { folder: 'main', inbox: INBOX },
      {
        statDir: () => {
          stats++;
          return new Promise<never>(() => undefined);
        },
        mountPointOf: () => Promise.resolve('/mnt/nas'),
        clock,
        log: captureLog().log,
      },
    );
    const first = hung.look();
    const second = hung.look();
    clock.advance(PRESENCE_TIMEOUT_MS - 1);
    const early = await Promise.race([first.then(() => 'answered'), Promise.resolve('waiting')]);
    expect(early).toBe('waiting');
    clock.advance(1);
    expect(await first).toEqual({ kind: 'gone', code: 'ETIMEDOUT' });
    expect(await second).toEqual({ kind: 'gone', code: 'ETIMEDOUT' });
    expect(stats).toBe(1);
  });

  it('a missing inbox is announced once however often it is found missing, and its return once', () => {
    const { p, messages } = presence({ stat: dir(5, 2), mountPoint: '/mnt/nas' });
    p.markBack();
    p.markMissing('ENOENT');
    p.markMissing('ENOENT');
    p.markMissing('EIO');
    expect(p.isPresent).toBe(false);
    p.markBack();
    p.markBack();
    expect(p.isPresent).toBe(true);
    expect(messages()).toEqual([
      'Inbox is missing; waiting for it to come back (nothing in it is treated as deleted)',
      'Inbox is back; rescanning',
    ]);
  });

  it('the listing may prove absence only for the very directory last watched', async () => {
    const world: World = { stat: dir(5, 2), mountPoint: '/mnt/nas' };
    const { p } = presence(world);
    expect(await p.isSameInbox()).toBe(false);
    p.remember(watchedOnShare);
    expect(await p.isSameInbox()).toBe(true);
    world.stat = dir(1, 99);
    expect(await p.isSameInbox()).toBe(false);
    world.stat = failing('ENOENT');
    expect(await p.isSameInbox()).toBe(false);
  });
});
