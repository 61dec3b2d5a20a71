import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeVideo } from '../../helpers/media.js';
import { countingTools, probesOf } from '../../helpers/tool-calls.js';
import {
  cleanUpAfterEach,
  distIsFresh,
  expectShareableMp4,
  makeSandbox,
  oneFileThroughDaemon,
} from './harness.js';

cleanUpAfterEach();

/**
 * The daemon probes a source once: intake's probe (for the rule's conditions and the plan) is
 * handed to the local engine, which does not probe the same file again. Counted with logging
 * stand-ins for ffmpeg and ffprobe on the daemon's PATH that run the real tools.
 */
it('a local-engine job probes its source once, at intake', async () => {
  if (!distIsFresh()) throw new Error('dist/ is older than src/: run `npm run build` (npm test does)');
  const sb = await makeSandbox({ rule: { engine: 'local', after: 'keep' } });
  const tools = await countingTools(join(sb.dir, 'bin'));
  sb.env.PATH = `${tools.dir}:${sb.env.PATH}`;
  const clip = await makeVideo(join(sb.dir, 'clip.mov'), { durationSec: 2 });
  const { job } = await oneFileThroughDaemon(sb, clip);
  expect(job?.error).toBeUndefined();
  expect(job?.state).toBe('done');
  await expectShareableMp4(join(sb.outbox, 'clip.mp4'));
  const calls = await tools.calls();
  expect(probesOf(calls, join(sb.inbox, 'clip.mov'))).toHaveLength(1);
});
