import type { JobRecord } from '../domain/job.js';

/** The step a job picks up at from its checkpoints. */
export type ResumeStep = 'upload' | 'instruct' | 'render' | 'download' | 'source';

/**
 * Where a job the journal left in flight resumes, from what it recorded (see `RemoteIds`): the
 * source step once its output was placed, the download once the render's URL is known, the render
 * once its id was chosen, the instruction once the input was uploaded, the upload once a session
 * exists. Undefined when nothing was recorded: the job starts afresh, which is no resume.
 */
export function resumePoint(job: Pick<JobRecord, 'remote' | 'output'>): ResumeStep | undefined {
  const r = job.remote;
  if (job.output) return 'source';
  if (r.outputUrl) return 'download';
  if (r.renderId) return 'render';
  if (r.uploaded?.length || r.instructionStarted !== undefined || r.instructionsDone !== undefined)
    return 'instruct';
  if (r.sessionId) return 'upload';
  return undefined;
}
