import { formatConfigIssue, isVideoInboxError, toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';

/** A settings file (config or rule YAML) with errors: logged and told, the last good version kept. */
export function reportSettingsError(log: Logger, notifier: Notifier, file: string, err: unknown): void {
  const e = toVideoInboxError(err);
  const detail =
    isVideoInboxError(err) && 'issues' in err
      ? (err as { issues: Parameters<typeof formatConfigIssue>[0][] }).issues
          .map(formatConfigIssue)
          .join('; ')
      : e.message;
  log.error(
    { file, code: e.code, issues: detail },
    'Settings file has errors; the last good version stays in force (a folder whose rule never loaded holds its files)',
  );
  notifier.notify(notices.config(file, detail));
}
