import { existsSync } from 'node:fs';
import {
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsFresh, killChildren, runCli, sigterm, spawnDaemon, type Child } from '../daemon/harness.js';
import { distinctVideo, makeBaseVideo, makeWorld, waitForFates, type Fate, type World } from './world.js';

/**
 * Symbolic links in an inbox, through the built daemon and real folders (issue 9, defect 12): which
 * links are followed (the per-folder `followLinks`), which are set aside whatever it says (into the
 * outbox, into the state dir, loops), and that a link archived to `_done/` still points at its video.
 */

let mediaDir: string;
let base: string;

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-links-media-'));
  base = await makeBaseVideo(mediaDir);
});

afterAll(async () => {
  await killChildren();
  await rm(mediaDir, { recursive: true, force: true });
});

/** A relative symbolic link at `link` to `target`, as `ln -s ../x link` makes it. */
async function relativeLink(target: string, link: string): Promise<void> {
  await symlink(relative(dirname(link), target), link);
}

/** The archived link in _done/ is a link (not a copy) that resolves to the very file it named. */
async function expectArchivedLinkResolves(w: World, name: string, target: string, bytes: Buffer) {
  const archived = join(w.inbox, '_done', name);
  expect((await lstat(archived)).isSymbolicLink(), `${name} archived as a link`).toBe(true);
  expect(isAbsolute(await readlink(archived)), 'rewritten as an absolute link').toBe(true);
  expect(await realpath(archived)).toBe(await realpath(target));
  expect(await readFile(target), 'the video it points to is untouched').toEqual(bytes);
}

function expectSetAside(fate: Fate | undefined, why: RegExp): void {
  expect(fate?.kind, JSON.stringify(fate)).toBe('set-aside');
  if (fate?.kind === 'set-aside') {
    expect(fate.reason).toMatch(why);
    expect(fate.reason).toMatch(/symbolic link/i);
  }
}

describe.skipIf(!distIsFresh())('symbolic links in an inbox (skipped: run `npm run build` first)', () => {
  describe('default policy (no followLinks)', () => {
    let w: World;
    let child: Child;
    let hidden: Buffer;
    const fates: Record<string, Fate> = {};

    beforeAll(async () => {
      w = await makeWorld({ engine: 'local' });
      // A video inside the inbox, in a hidden folder the watcher leaves alone: a link to it is taken.
      hidden = await distinctVideo(base, 'hidden target');
      await mkdir(join(w.inbox, '.stash'), { recursive: true });
      await writeFile(join(w.inbox, '.stash', 'real.mp4'), hidden);
      child = spawnDaemon(w);
      await child.waitForLog('Watching inboxes');
      await relativeLink(join(w.inbox, '.stash', 'real.mp4'), join(w.inbox, 'inside-link.mp4'));
      const outside = join(w.dir, 'elsewhere.mp4');
      await writeFile(outside, await distinctVideo(base, 'outside default'));
      await relativeLink(outside, join(w.inbox, 'outside-link.mp4'));
      Object.assign(fates, await waitForFates(w, ['inside-link.mp4', 'outside-link.mp4'], 90_000));
    }, 150_000);

    afterAll(async () => {
      if (child) await sigterm(child);
      await w?.close();
    });

    it('a relative link to a video inside the inbox is converted, and its link in _done/ still resolves to it', async () => {
      expect(fates['inside-link.mp4']?.kind).toBe('converted');
      await expectArchivedLinkResolves(w, 'inside-link.mp4', join(w.inbox, '.stash', 'real.mp4'), hidden);
    });

    it('a relative link out of the inbox is set aside, and its link in _failed/ still names the same file', async () => {
      expectSetAside(fates['outside-link.mp4'], /outside the inbox/);
      const failed = join(w.inbox, '_failed', 'outside-link.mp4');
      expect(await realpath(failed)).toBe(await realpath(join(w.dir, 'elsewhere.mp4')));
      expect(existsSync(join(w.outbox, 'outside-link.mp4'))).toBe(false);
    });

    it('`explain` names the policy and says the link out of the inbox would be set aside', async () => {
      await symlink(join(w.dir, 'elsewhere.mp4'), join(w.dir, 'probe-link.mp4'));
      const res = await runCli(w, [
        'explain',
        join(w.dir, 'probe-link.mp4'),
        '--folder',
        'main',
        '--config',
        w.configPath,
      ]);
      expect(res.stdout).toMatch(/Link: .*elsewhere\.mp4/);
      expect(res.stdout).toMatch(/followLinks: false/);
      expect(res.stdout).toMatch(/set aside in _failed\//);
    });
  });

  describe('followLinks: true', () => {
    let w: World;
    let child: Child;
    let outsideBytes: Buffer;
    const names = ['follow-link.mp4', 'into-outbox.mp4', 'into-state.mp4', 'self-loop.mp4'];
    const fates: Record<string, Fate> = {};

    beforeAll(async () => {
      w = await makeWorld({ engine: 'local', folderExtra: ['followLinks: true'] });
      child = spawnDaemon(w);
      await child.waitForLog('Watching inboxes');
      const outside = join(w.dir, 'library', 'holiday.mp4');
      await mkdir(dirname(outside), { recursive: true });
      outsideBytes = await distinctVideo(base, 'followed');
      await writeFile(outside, outsideBytes);
      await relativeLink(outside, join(w.inbox, 'follow-link.mp4'));
      await mkdir(w.outbox, { recursive: true });
      await writeFile(join(w.outbox, 'earlier.mp4'), await distinctVideo(base, 'earlier output'));
      await symlink(join(w.outbox, 'earlier.mp4'), join(w.inbox, 'into-outbox.mp4'));
      await writeFile(join(w.stateDir, 'peek.mp4'), await distinctVideo(base, 'in the state dir'));
      await symlink(join(w.stateDir, 'peek.mp4'), join(w.inbox, 'into-state.mp4'));
      await symlink(join(w.inbox, 'self-loop.mp4'), join(w.inbox, 'self-loop.mp4'));
      Object.assign(fates, await waitForFates(w, names, 90_000));
    }, 150_000);

    afterAll(async () => {
      if (child) await sigterm(child);
      await w?.close();
    });

    it('a relative link to a video outside the inbox is converted, and its link in _done/ still resolves to it', async () => {
      expect(fates['follow-link.mp4']?.kind).toBe('converted');
      await expectArchivedLinkResolves(
        w,
        'follow-link.mp4',
        join(w.dir, 'library', 'holiday.mp4'),
        outsideBytes,
      );
    });

    it('a link into the outbox is still set aside, and the output it points to stays', async () => {
      expectSetAside(fates['into-outbox.mp4'], /outbox/);
      expect(existsSync(join(w.outbox, 'earlier.mp4'))).toBe(true);
    });

    it('a link into the state dir is still set aside', async () => {
      expectSetAside(fates['into-state.mp4'], /state dir/);
    });

    it('a looping link is still set aside', async () => {
      expectSetAside(fates['self-loop.mp4'], /loops/);
    });

    it('`explain` says links out of the inbox are followed in this folder', async () => {
      const res = await runCli(w, [
        'explain',
        join(w.dir, 'library', 'holiday.mp4'),
        '--folder',
        'main',
        '--config',
        w.configPath,
      ]);
      // Not a link: no link line at all.
      expect(res.stdout).not.toMatch(/^Link:/m);
      await symlink(join(w.dir, 'library', 'holiday.mp4'), join(w.dir, 'probe-link.mp4'));
      const linked = await runCli(w, [
        'explain',
        join(w.dir, 'probe-link.mp4'),
        '--folder',
        'main',
        '--config',
        w.configPath,
      ]);
      expect(linked.stdout).toMatch(/followLinks: true/);
      expect(linked.stdout).toMatch(/followed/);
      expect(linked.stdout).not.toMatch(/set aside in _failed\//);
    });
  });

  describe('`validate` and followLinks', () => {
    let w: World;
    beforeAll(async () => {
      w = await makeWorld({ engine: 'local' });
    });
    afterAll(async () => {
      await w?.close();
    });

    it('accepts followLinks: true', async () => {
      await w.reconfigure({ folderExtra: ['followLinks: true'] });
      const res = await runCli(w, ['validate', '--config', w.configPath]);
      expect(res.stdout + res.stderr).not.toMatch(/followLinks/);
      expect(res.code).toBe(0);
    });

    it('refuses followLinks that is not a boolean, with its position', async () => {
      await w.reconfigure({ folderExtra: ['followLinks: "yes"'] });
      const res = await runCli(w, ['validate', '--config', w.configPath]);
      expect(res.code).toBe(2);
      expect(res.stdout + res.stderr).toMatch(/config\.yaml:\d+/);
      expect(res.stdout + res.stderr).toMatch(/followLinks/);
    });
  });
});
