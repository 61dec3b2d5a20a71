import { execFileSync } from 'node:child_process';
import { mkdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canMountTmpfs,
  configText,
  distIsFresh,
  drop,
  listFiles,
  localSandbox,
  sigterm,
  startChild,
  useClipsAndMounts,
  waitFor,
  writeAtomic,
} from './user-config.js';

const { clips, mounts } = useClipsAndMounts('vi-space-media-', 1, { width: 160, height: 120 });

// Defect 9: the free-space check added a 64 MiB allowance and then a 64 MiB margin on top, so an
// outbox with under 128 MiB free never took even a tiny result.
describe.skipIf(!distIsFresh() || !canMountTmpfs())(
  'free space: one margin (needs root for a tmpfs outbox, and `npm run build`)',
  () => {
    it('a 100 MB outbox takes a small result (the source is in _done/, the MP4 in the outbox)', async () => {
      const sb = await localSandbox();
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
      expect((await stat(clips[0]!)).size).toBeLessThan(200 * 1024);

      const child = await startChild(sb);
      await drop(clips[0]!, sb.inbox, 'tiny.avi');
      await waitFor(
        async () => (await listFiles(small)).includes('tiny.mp4'),
        60_000,
        'the output in the small outbox',
      );
      await waitFor(
        async () => (await listFiles(join(sb.inbox, '_done'))).includes('tiny.avi'),
        30_000,
        'archived',
      );
      expect(child.lines.join('\n')).not.toContain('DISK_FULL');
      expect((await sigterm(child)).code).toBe(0);
    });
  },
);
