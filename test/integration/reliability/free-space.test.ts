import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  distIsFresh,
  killChildren,
  listFiles,
  sigterm,
  spawnDaemon,
  waitFor,
  type Sandbox,
} from '../daemon/harness.js';
import { makeVideo } from '../../helpers/media.js';
import { configText, drop, localSandbox, writeAtomic } from './user-config.js';

let sb: Sandbox | undefined;
let mediaDir: string;
let clip: string;
const mounts: string[] = [];

beforeAll(async () => {
  mediaDir = await mkdtemp(join(tmpdir(), 'vi-space-media-'));
  clip = await makeVideo(join(mediaDir, 'clip.avi'), {
    videoCodec: 'mpeg4',
    durationSec: 1,
    width: 160,
    height: 120,
  });
});

afterAll(async () => {
  await rm(mediaDir, { recursive: true, force: true });
});

afterEach(async () => {
  await killChildren();
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
  await sb?.close();
  sb = undefined;
});

/** tmpfs needs root (CAP_SYS_ADMIN); probed once so the skip says why. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = execFileSync('mktemp', ['-d']).toString().trim();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rmdir', [dir]);
  }
}

// Defect 9: the free-space check added a 64 MiB allowance and then a 64 MiB margin on top, so an
// outbox with under 128 MiB free never took even a tiny result.
describe.skipIf(!distIsFresh() || !canMountTmpfs())(
  'free space: one margin (needs root for a tmpfs outbox, and `npm run build`)',
  () => {
    it('a 100 MB outbox takes a small result (the source is in _done/, the MP4 in the outbox)', async () => {
      sb = await localSandbox();
      const small = join(sb.dir, 'small-outbox');
      await mkdir(small);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=100m', 'tmpfs', small]);
      mounts.push(small);
      const fs = await statfs(small);
      expect(fs.bavail * fs.bsize).toBeLessThan(128 * 1024 * 1024);
      await writeAtomic(
        sb.configPath,
        configText(sb, [{ name: 'main', inbox: 'inbox/main', outbox: 'small-outbox' }]),
      );
      expect((await stat(clip)).size).toBeLessThan(200 * 1024);

      const child = spawnDaemon(sb);
      await child.waitForLog('Watching inboxes');
      await drop(clip, sb.inbox, 'tiny.avi');
      await waitFor(
        async () => (await listFiles(small)).includes('tiny.mp4'),
        60_000,
        'the output in the small outbox',
      );
      await waitFor(
        async () => (await listFiles(join(sb!.inbox, '_done'))).includes('tiny.avi'),
        30_000,
        'archived',
      );
      expect(child.lines.join('\n')).not.toContain('DISK_FULL');
      expect((await sigterm(child)).code).toBe(0);
    });
  },
);
