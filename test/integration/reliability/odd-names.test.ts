import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  distIsFresh,
  listFiles,
  parseLine,
  sigterm,
  spawnDaemon,
  waitFor,
  cleanUpAfterEach,
} from '../daemon/harness.js';
import { drop, localSandbox, useClips } from './user-config.js';

const clips = useClips('vi-names-media-', 5);

cleanUpAfterEach();

/** `café.avi` written in Latin-1, as an old Windows share or zip would: 0xE9 is not valid UTF-8. */
const latin1Name = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' old.avi')]);

// Defect 7: names that merely start with `_done`/`_failed`, and names that are not valid UTF-8, were
// skipped with no log line. Only the exact `_done`/`_failed` folders at the inbox root are the daemon's.
describe.skipIf(!distIsFresh())(
  'no file is silently ignored for its name (skipped: run `npm run build`)',
  () => {
    it('converts _done-holiday.avi, files under `_done 2/` and `_failed-old/`, and a non-UTF-8 name', async () => {
      const sb = await localSandbox();
      const child = spawnDaemon(sb);
      await child.waitForLog('Watching inboxes');
      await drop(clips[0]!, sb.inbox, '_done-holiday.avi');
      await drop(clips[1]!, sb.inbox, '_failed_take2.avi');
      await drop(clips[2]!, join(sb.inbox, '_done 2'), 'copied.avi');
      await drop(clips[3]!, join(sb.inbox, '_failed-old'), 'kept.avi');
      await copyFile(clips[4]!, Buffer.concat([Buffer.from(`${sb.inbox}/`), latin1Name]));

      const wanted = ['_done-holiday.mp4', '_failed_take2.mp4', 'copied.mp4', 'kept.mp4', 'café old.mp4'];
      const outputs = async () => (await listFiles(sb.outbox)).map((n) => n.normalize());
      await waitFor(
        async () => {
          const out = await outputs();
          return wanted.every((n) => out.includes(n));
        },
        90_000,
        `outputs ${wanted.join(', ')}`,
      );

      // The rename that made the name readable is logged, with the original bytes shown escaped.
      const renamed = child.lines.map(parseLine).find((e) => String(e?.msg).includes('not valid UTF-8'));
      expect(renamed).toMatchObject({
        from: 'caf\\xE9 old.avi',
        to: expect.stringContaining('café old.avi'),
      });
      // Nothing with the undecodable name is left; the source was archived under its readable name.
      for (const dir of [sb.inbox, join(sb.inbox, '_done')]) {
        const names = await readdir(dir, { encoding: 'buffer' });
        expect(names.filter((b) => b.equals(latin1Name))).toEqual([]);
      }
      await waitFor(
        async () => (await listFiles(join(sb.inbox, '_done'))).some((n) => n.normalize() === 'café old.avi'),
        30_000,
        'the renamed source archived',
      );
      expect((await sigterm(child)).code).toBe(0);
    });
  },
);
