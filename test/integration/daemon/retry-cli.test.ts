import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import {
  cleanUpAfterEach,
  distIsFresh,
  listFiles,
  makeSandbox,
  runCli,
  startInProcess,
  waitForJobs,
} from './harness.js';

cleanUpAfterEach();

/** `video-inbox retry` from another process while the daemon runs: the marks live in the state dir. */
describe.skipIf(!distIsFresh())(
  'video-inbox retry beside a running daemon (skipped: run `npm run build` first)',
  () => {
    it('retry --failed brings a failed file back and it is converted; retry of a done file converts it again', async () => {
      const sb = await makeSandbox();
      await makeVideo(join(sb.dir, 'flaky.mov'));
      await startInProcess(sb);
      sb.emu.inject('upload', { kind: 'envelope', code: 4001, message: 'Unsupported file type' });
      await copyFile(join(sb.dir, 'flaky.mov'), join(sb.inbox, 'flaky.mov'));
      await waitForJobs(sb, (j) => j[0]?.state === 'failed', 60_000, 'the job failed');
      expect(await listFiles(join(sb.inbox, '_failed'))).toEqual(['flaky.mov', 'flaky.mov.error.txt']);

      const retried = await runCli(sb, ['retry', '--failed', '--config', sb.configPath]);
      expect(retried.stderr).toBe('');
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain(
        `${join(sb.inbox, '_failed', 'flaky.mov')} → ${join(sb.inbox, 'flaky.mov')}`,
      );
      await waitForJobs(sb, (j) => j.some((x) => x.state === 'done'), 60_000, 'the retried job done');
      expect(await listFiles(join(sb.inbox, '_failed'))).toEqual([]);
      expect(await listFiles(sb.outbox)).toEqual(['flaky.mp4']);
      expect(await listFiles(join(sb.inbox, '_done'))).toEqual(['flaky.mov']);

      // Done content is converted again only when asked; the first output is kept.
      const again = await runCli(sb, [
        'retry',
        join(sb.inbox, '_done', 'flaky.mov'),
        '--config',
        sb.configPath,
      ]);
      expect(again.code).toBe(0);
      await waitForJobs(
        sb,
        (j) => j.filter((x) => x.state === 'done').length === 2,
        60_000,
        'converted again',
      );
      expect(await listFiles(sb.outbox)).toEqual(['flaky (1).mp4', 'flaky.mp4']);
      expect(sb.emu.renders()).toHaveLength(2);
    });
  },
);
