import { formatConfigIssue, isVideoInboxError, toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';

/**
 * A settings file (config or rule YAML) with errors: logged and told. `kept` says whether an earlier
 * good version stays in force; a rule file that never loaded has none, and its folder's files wait.
 */
export function reportSettingsError(
  log: Logger,
  notifier: Notifier,
  file: string,
  err: unknown,
  kept: boolean,
): void {
  const e = toVideoInboxError(err);
  const detail =
    isVideoInboxError(err) && 'issues' in err
      ? (err as { issues: Parameters<typeof formatConfigIssue>[0][] }).issues
          .map(formatConfigIssue)
          .join('; ')
      : e.message;
  if (kept)
    log.error(
      { file, code: e.code, issues: detail },
      'Settings file has errors; the last good version stays in force',
    );
  else
    log.error(
      { file, code: e.code, issues: detail },
      'Settings file has errors and never loaded; the files of its folder wait until it loads',
    );
  notifier.notify(notices.config(file, detail, kept));
}
