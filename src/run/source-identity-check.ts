import { VideoInboxError } from '../core/errors.js';
import type { JobRecord } from '../domain/job.js';
import { checkIdentity } from '../outbox/source-identity.js';
import type { JobContext } from './job-context.js';

/**
 * A (re)run converts only the content the job took: other content copied or renamed over the name
 * meanwhile (say while a retry waited) is SOURCE_CHANGED, and gets its own job (see `settle`).
 */
export async function checkSameContent(ctx: JobContext): Promise<void> {
  const { job, deps } = ctx;
  const identity = await checkIdentity(
    { stat: (p) => deps.fs.stat(p), hashFile: deps.hashFile },
    job.source,
    sourceIdentity(job),
  );
  if (identity !== 'changed') return;
  throw new VideoInboxError(
    'SOURCE_CHANGED',
    'Other content was put under the name before it was converted',
    {
      hint: 'Nothing to do: the new content is taken as a new job. Put the earlier video back to convert it too.',
    },
  );
}

/** What the job recorded of its source when it took it: size, stamps, inode and content hash. */
export function sourceIdentity(job: JobRecord) {
  const { size, mtimeMs, dev, ino, ctimeMs, contentHash } = job;
  return { size, mtimeMs, dev, ino, ctimeMs, contentHash };
}
