import { joinSentences } from '../core/sentences.js';
import type { Clock } from '../core/clock.js';
import { withConfigFlag } from '../core/cli-command.js';
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
  /** The config the daemon runs with, when not the default: the commands it prints name it. */
  printedConfig?: string;
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
  const config = deps.printedConfig;
  const errorRecord = jobError(error);
  if (errorRecord.hint !== undefined) errorRecord.hint = withConfigFlag(errorRecord.hint, config);
  const setAsideTo = failed.setAside
    ? await setAside(source, failed.inbox, errorRecord, {
        fs: deps.fs,
        now: new Date(deps.clock.now()),
        config,
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
  const notice =
    error.code === 'EXPORT_BLOCKED'
      ? notices.blocked(source)
      : notices.failed(source, joinSentences(error.message, error.hint), setAsideTo);
  deps.notifier.notify({ ...notice, message: withConfigFlag(notice.message, config) });
  return setAsideTo;
}

/** An error as a job record keeps it. */
export function jobError(error: VideoInboxError): JobError {
  return { code: error.code, message: error.message, hint: error.hint };
}
