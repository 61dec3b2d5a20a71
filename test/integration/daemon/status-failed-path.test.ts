import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  cleanUpAfterEach,
  distIsFresh,
  listFiles,
  makeSandbox,
  runCli,
  sigterm,
  spawnDaemon,
  waitFor,
} from './harness.js';

cleanUpAfterEach();

/**
 * A failed file is moved to `<inbox>/_failed/`: `status` says where it now lies, so the path it
 * prints is one a person finds (and `retry` takes), not the inbox name the file has left.
 */
it.skipIf(!distIsFresh())(
  'status names a failed file where it was set aside, in its lines and its JSON',
  async () => {
    const sb = await makeSandbox();
    const daemon = spawnDaemon(sb);
    await daemon.waitForLog('Watching inboxes');
    await writeFile(join(sb.inbox, 'empty.avi'), '');
    const failed = join(sb.inbox, '_failed');
    await waitFor(async () => (await listFiles(failed)).includes('empty.avi'), 60_000, 'the set-aside file');

    // Asked of the running daemon, then read from the journal once it stopped.
    for (const running of [true, false]) {
      if (!running) await sigterm(daemon);
      const text = await runCli(sb, ['status', '--config', sb.configPath]);
      expect(text.stdout).toContain(running ? 'Daemon running' : 'Daemon not running');
      const line = text.stdout.split('\n').find((l) => l.includes('[failed]'));
      expect(line).toContain(`: ${join(failed, 'empty.avi')} — `);

      const json = JSON.parse((await runCli(sb, ['status', '--json', '--config', sb.configPath])).stdout) as {
        jobs: { state: string; file: string; setAsideTo?: string }[];
      };
      const job = json.jobs.find((j) => j.state === 'failed');
      expect(job?.setAsideTo).toBe(join(failed, 'empty.avi'));
      // The path the file was taken from stays in the record: it is what the job was.
      expect(job?.file).toBe(join(sb.inbox, 'empty.avi'));
    }
  },
  120_000,
);
