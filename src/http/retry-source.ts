import { join, relative } from 'node:path';
import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { redact } from '../core/secrets.js';
import type { Config } from '../config/config.js';
import { retryFile, type RetryFileDeps } from '../intake/retry-file.js';
import { DONE_DIR, FAILED_DIR } from '../outbox/inbox-subfolder.js';
import type { ActionResult } from './control.js';

/**
 * `POST /api/jobs/:id/retry` once the job is known to be final: finds its source (in `_failed/`,
 * `_done/` or still in the inbox) and hands it to the retry use case, as `video-inbox retry` does.
 */
export async function retryJobSource(
  d: { config(): Config; retry: RetryFileDeps; log: Logger },
  job: { id: string; folder: string; source: string; sourceName?: string; file?: string },
): Promise<ActionResult> {
  const folder = d.config().folders.find((f) => f.name === job.folder);
  if (!folder)
    return {
      ok: false,
      status: 409,
      code: 'NO_FOLDER',
      message: `Folder ${job.folder} is no longer configured`,
    };
  const rel = relative(folder.inbox, job.source);
  const candidates = [join(folder.inbox, FAILED_DIR, rel), join(folder.inbox, DONE_DIR, rel), job.source];
  for (const path of candidates) {
    if (!(await exists(d.retry.fs, path))) continue;
    try {
      const line = await retryFile(d.config(), path, d.retry);
      d.log.info({ job: job.id, file: job.sourceName ?? job.file }, 'Retry requested over the API');
      return { ok: true, message: redact(line) };
    } catch (err) {
      const e = toVideoInboxError(err);
      return { ok: false, status: 409, code: e.code, message: redact(e.message) };
    }
  }
  return {
    ok: false,
    status: 409,
    code: 'SOURCE_GONE',
    message: 'The source is no longer in the inbox, _failed/ or _done/',
  };
}

async function exists(fs: RetryFileDeps['fs'], path: string): Promise<boolean> {
  return fs.stat(path).then(
    () => true,
    () => false,
  );
}
