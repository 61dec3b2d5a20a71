import type { MediaInfo } from '../domain/media.js';
import { deliver } from '../outbox/deliver.js';
import { outputTempPath } from '../outbox/place.js';
import { outputContract } from './conform-render.js';
import type { JobContext } from './job-context.js';
import { sourceIdentity } from './source-identity-check.js';

export type Finished = { output: string; source: string | undefined };

/**
 * Places the new output (`fresh`) or takes the one an earlier run placed (`placed`), then archives,
 * deletes or keeps the source: always through `deliver`, the one code that moves a source.
 */
export async function finishSource(
  ctx: JobContext,
  placed: string | undefined,
  fresh?: { temp: string; expectedDurationSec?: number; knownStreams?: MediaInfo },
): Promise<Finished> {
  const { job, plan, deps, log } = ctx;
  const delivered = await deliver({
    placed,
    temp: fresh?.temp ?? outputTempPath(plan.outbox, job.id),
    expectedDurationSec: fresh?.expectedDurationSec,
    knownStreams: fresh?.knownStreams,
    outboxDir: plan.outbox,
    name: plan.outputName,
    ffprobe: deps.ffprobe,
    contract: outputContract(plan),
    source: job.source,
    inboxDir: plan.inbox,
    after: plan.after,
    // A source saved over while it converted is new content: it stays for its own job.
    expect: sourceIdentity(job),
    hashFile: deps.hashFile,
    // Recorded the moment the final name exists, so a crash before the temp is removed can never
    // lead to a second render and a "(1)" copy.
    onPlaced: async (path) => {
      await deps.records.update(job.id, { output: path });
    },
    // Without hard links the final name is reserved first: recorded too, for the same reason.
    onReserved: async (path, file) => {
      await deps.records.update(job.id, { reservedOutput: { path, ...file } });
    },
    // The source's archive name in `_done/` is reserved the same way there: recorded for the same reason.
    archiveReserved: job.reservedArchive,
    onArchiveReserved: async (path, file) => {
      await deps.records.update(job.id, { reservedArchive: { path, ...file } });
    },
    fs: deps.fs,
  });
  if (delivered.sourceError) {
    deps.blockedFolders?.report(delivered.sourceError);
    log.warn(
      { err: delivered.sourceError.message, code: delivered.sourceError.code },
      'Could not archive or delete the source; it was left in place',
    );
  }
  return delivered;
}
