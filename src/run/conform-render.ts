import { toVideoInboxError } from '../core/errors.js';
import type { JobPlan } from '../domain/job.js';
import { removeTemp } from '../outbox/place.js';
import { conformOutput, type OutputContract } from '../outbox/verify-output.js';
import type { JobContext } from './job-context.js';

/**
 * What every output of this job must meet: the MP4 contract, with the rule's `keepHevc` and (for
 * local conversions, which it sizes) `height`, and AAC sound when the source had sound.
 */
export function outputContract(plan: JobPlan): OutputContract {
  return {
    keepHevc: plan.local?.keepHevc,
    height: plan.engine === 'local' ? plan.local?.height : undefined,
    sourceHadAudio: plan.sourceHadAudio,
  };
}

/**
 * A cloud render outside the contract (HEVC, 10-bit, HDR, oversized, index at the end) is converted
 * here by the local engine before it is placed; without ffmpeg the job fails saying so, and the
 * unusable render is removed. Nobody receives a file outside the contract.
 */
export async function conformRender(
  ctx: JobContext,
  temp: string,
  expectedDurationSec: number | undefined,
): Promise<void> {
  const { plan, deps, log, signal } = ctx;
  try {
    const { fixed } = await conformOutput(temp, {
      engine: deps.engines.local,
      fs: deps.fs,
      log,
      ffprobe: deps.ffprobe,
      signal,
      expectedDurationSec,
      contract: outputContract(plan),
    });
    if (fixed) log.info({ fixed }, 'Cloud render brought into the MP4 contract locally');
  } catch (err) {
    const error = toVideoInboxError(err);
    if (error.code === 'OUTPUT_INVALID') await removeTemp(deps.fs, temp);
    throw error;
  }
}
