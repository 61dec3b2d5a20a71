import type { JobRecord, SourceIdentity } from '../domain/job.js';
import type { MediaInfo } from '../domain/media.js';
import { sourceIdentity } from './source-identity-check.js';

/**
 * What ffprobe said of a job's source when it was taken, kept in memory (never journaled: a record
 * stays small) until the job runs, so the local engine does not probe the same file again. One use
 * per entry; a bounded number of entries, the oldest dropped first. After a restart there is none,
 * and the engine probes as before.
 */
export interface FreshProbes {
  remember(job: JobRecord, media: MediaInfo): void;
  /** The probe made for this job, if its source identity is still the one recorded; forgotten then. */
  take(job: JobRecord): MediaInfo | undefined;
}

export function freshProbes(limit = 1000): FreshProbes {
  const entries = new Map<string, { identity: SourceIdentity; media: MediaInfo }>();
  return {
    remember(job, media) {
      entries.delete(job.id);
      entries.set(job.id, { identity: sourceIdentity(job), media });
      for (const oldest of entries.keys()) {
        if (entries.size <= limit) break;
        entries.delete(oldest);
      }
    },
    take(job) {
      const entry = entries.get(job.id);
      entries.delete(job.id);
      return entry && sameIdentity(entry.identity, sourceIdentity(job)) ? entry.media : undefined;
    },
  };
}

/** The same stamps, inode and content hash: a job re-taken with other content does not match. */
export function sameIdentity(a: SourceIdentity, b: SourceIdentity): boolean {
  return (
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.ctimeMs === b.ctimeMs &&
    a.contentHash === b.contentHash
  );
}
