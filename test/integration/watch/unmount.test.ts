import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHarnesses, makeHarness, quiet, sleep, waitFor } from './harness.js';

/** Real mounts need root with CAP_SYS_ADMIN (a container as root, some CI); elsewhere this is skipped. */
async function canMount(): Promise<boolean> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = await mkdtemp(join(tmpdir(), 'vi-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    await rmdir(probe).catch(() => undefined);
  }
}

const mounted: string[] = [];
const mountTmpfs = (dir: string) => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
  mounted.push(dir);
};
const unmount = (dir: string) => {
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  mounted.splice(mounted.indexOf(dir), 1);
};

afterEach(async () => {
  for (const dir of mounted.splice(0)) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  await closeHarnesses();
});

describe.skipIf(!(await canMount()))('inbox watcher: a real unmount', () => {
  it('an unmounted inbox is missing (its bare mount point is not "all deleted"), and remounted it carries on where it was', async () => {
    const h = await makeHarness({ rescanMs: 500, emptySettleMs: 600_000 });
    // The "share": a tmpfs that keeps its files while the inbox mount comes and goes (bind mounts).
    const share = join(h.root, 'share');
    await mkdir(share);
    await mkdir(h.inbox);
    mountTmpfs(share);
    const bind = () => {
      execFileSync('mount', ['--bind', share, h.inbox], { stdio: 'ignore' });
      mounted.unshift(h.inbox);
    };
    bind();
    await writeFile(join(share, 'taken-before.mov'), 'data');
    await writeFile(join(share, 'placeholder.mov'), '');
    await h.watcher.start();
    await waitFor(() => h.emitted.length === 1, 'the file on the mounted inbox');

    unmount(h.inbox);
    await waitFor(() => h.watcher.status()[0]?.state === 'missing', 'state missing after the unmount');
    await sleep(1500); // several presence checks and due rescans, all facing the bare mount point
    expect(h.watcher.status()[0]).toEqual({ folder: 'main', state: 'missing', pending: 1 });
    const msgs = () => h.logs.entries().map((e) => String(e.msg));
    expect(msgs()).not.toContain('Inbox is back; rescanning');
    const warnings = h.logs.entries().filter((e) => String(e.msg).startsWith('Inbox is missing'));
    expect(warnings.map((w) => w.code)).toEqual(['UNMOUNTED']);

    // Back: the file taken before is not offered again, the kept placeholder finishes when it fills.
    bind();
    await waitFor(() => h.watcher.status()[0]?.state === 'watching', 'watching again');
    expect(msgs()).toContain('Inbox is back; rescanning');
    await writeFile(join(h.inbox, 'placeholder.mov'), 'now full');
    await waitFor(() => h.emitted.length >= 2, 'the filled placeholder');
    await quiet();
    expect(h.names()).toEqual(['taken-before.mov', 'placeholder.mov']);
  });
});
