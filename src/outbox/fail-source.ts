import type { Clock } from '../core/clock.js';
import { toVideoInboxError, type VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { JobError } from '../domain/job.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import type { BlockedFolderReporter } from './blocked-folder.js';
import { setAside } from './failed.js';
import type { OutboxFs } from './outbox-fs.js';

export interface FailDeps {
  fs: OutboxFs;
  clock: Clock;
  notifier: Notifier;
  log: Logger;
  /** Says once per path that `_failed` is blocked by a file (the daemon's; none for one-off runs). */
  blockedFolders?: BlockedFolderReporter;
}

export interface FailedSource {
  source: string;
  inbox: string;
  error: VideoInboxError;
  /** False when there is nothing to move (the source is gone) or the caller keeps it (`convert`). */
  setAside: boolean;
}

/**
 * The one way a job fails: the source goes to `<inbox>/_failed/` with its reason beside it (or stays
 * where it is when that move fails), the caller records the failure, and a person is told. Returns
 * where the source now lies in `_failed/`, when it was moved.
 */
export async function failSource(
  deps: FailDeps,
  failed: FailedSource,
  record: (setAsideTo: string | undefined, error: JobError) => Promise<void>,
): Promise<string | undefined> {
  const { error, source } = failed;
  const errorRecord = jobError(error);
  const setAsideTo = failed.setAside
    ? await setAside(source, failed.inbox, errorRecord, {
        fs: deps.fs,
        now: new Date(deps.clock.now()),
      }).catch((err: unknown) => {
        const e = toVideoInboxError(err);
        const movedTo = e.context.setAsideTo;
        if (typeof movedTo === 'string') {
          deps.log.error(
            { err: e.message, code: e.code, setAsideTo: movedTo },
            'The file was moved to _failed/ but its reason could not be written beside it',
          );
          return movedTo;
        }
        deps.blockedFolders?.report(e);
        deps.log.error(
          { err: e.message, code: e.code },
          'Could not move the file to _failed/; it stays in the inbox',
        );
        return undefined;
      })
    : undefined;
  await record(setAsideTo, errorRecord);
  deps.notifier.notify(
    error.code === 'EXPORT_BLOCKED'
      ? notices.blocked(source)
      : notices.failed(source, error.hint ? `${error.message}. ${error.hint}` : error.message, setAsideTo),
  );
  return setAsideTo;
}

/** An error as a job record keeps it. */
export function jobError(error: VideoInboxError): JobError {
  return { code: error.code, message: error.message, hint: error.hint };
}
