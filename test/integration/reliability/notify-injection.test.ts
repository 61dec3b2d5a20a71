import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  distIsFresh,
  listFiles,
  root,
  sigterm,
  spawnDaemon,
  waitFor,
  cleanUpAfterEach,
} from '../daemon/harness.js';
import { configText, drop, localSandbox, useClips, writeAtomic } from './user-config.js';

const HOSTILE = [
  '$(touch PWNED-dollar) x.avi',
  '`touch PWNED-tick` y.avi',
  `q'uo"te; touch PWNED-semi.avi`,
  '-rf --version.avi',
  'new\nline.avi',
];

const clips = useClips('vi-notify-media-', HOSTILE.length);

cleanUpAfterEach();

const SAFE = /^[\p{L}\p{M}\p{N} .,:_+=/()[\]@%#~?→-]+$/u;

// Defect 13: with `notify: desktop`, node-notifier runs notify-send through `/bin/sh -c` with the file
// name in the message. A stand-in notify-send on PATH records the arguments it really received.
describe.skipIf(!distIsFresh() || process.platform !== 'linux')(
  'desktop notifications get only safe text (skipped: run `npm run build`; Linux only)',
  () => {
    it('hostile file names are converted, and notify-send receives only safe characters', async () => {
      const sb = await localSandbox();
      const bin = join(sb.dir, 'fake-bin');
      const record = join(sb.dir, 'notify-args');
      await mkdir(bin);
      await writeFile(
        join(bin, 'notify-send'),
        `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a" >> "${record}"; done\nprintf '\\n\\0' >> "${record}"\n`,
      );
      await chmod(join(bin, 'notify-send'), 0o755);
      sb.env.PATH = `${bin}:${sb.env.PATH}`;
      await writeAtomic(
        sb.configPath,
        configText(sb, [{ name: 'main', inbox: 'inbox/main', outbox: 'outbox' }], { notify: 'desktop' }),
      );

      const child = spawnDaemon(sb);
      await child.waitForLog('Watching inboxes');
      for (const [i, name] of HOSTILE.entries()) await drop(clips[i]!, sb.inbox, name);
      await waitFor(
        async () => (await listFiles(sb.outbox)).length === HOSTILE.length,
        90_000,
        'all outputs',
      );
      const calls = () =>
        readFile(record, 'utf8')
          .then((t) => t.split('\n\0').filter((c) => c !== ''))
          .catch(() => [] as string[]);
      await waitFor(async () => (await calls()).length >= HOSTILE.length, 30_000, 'a notification per file');
      expect((await sigterm(child)).code).toBe(0);

      for (const call of await calls()) {
        const [title, message] = call.split('\0');
        for (const text of [title!, message!]) {
          expect(text, call).toMatch(SAFE);
          expect(text.startsWith('-'), call).toBe(false);
        }
      }
      for (const dir of [sb.dir, sb.inbox, sb.outbox, root, process.cwd()])
        for (const mark of ['PWNED-dollar', 'PWNED-tick', 'PWNED-semi'])
          expect(existsSync(join(dir, mark))).toBe(false);
    });
  },
);
