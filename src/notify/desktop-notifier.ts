import notifier from 'node-notifier';
import type { Logger } from '../core/logger.js';
import { redact } from '../core/secrets.js';
import type { Notice, Notifier } from './notifier.js';
import { shellSafeText } from './safe-text.js';

type Send = (n: { title: string; message: string }, cb: (err: Error | null) => void) => void;

const defaultSend: Send = (n, cb) => {
  notifier.notify({ title: n.title, message: n.message, wait: false }, (err) => cb(err));
};

/**
 * Desktop notifications through node-notifier (notify-send, Notification Center, toasts). node-notifier
 * reaches `notify-send` through a shell, so it only ever gets `shellSafeText`; the log keeps the notice
 * as it was. The first failure is logged with a hint and later ones at debug level, so a headless
 * machine is not flooded.
 */
export function createDesktopNotifier(log: Logger, send: Send = defaultSend): Notifier {
  let warned = false;
  return {
    notify(notice: Notice) {
      const safe = { title: redact(notice.title), message: redact(notice.message) };
      log.info({ kind: notice.kind, title: safe.title, notice: safe.message }, 'Notification');
      try {
        send({ title: shellSafeText(safe.title), message: shellSafeText(safe.message) }, (err) => {
          if (!err) return;
          if (!warned) {
            warned = true;
            log.warn(
              { err: err.message },
              'Desktop notifications are not working; set `notify: none` to silence this, or install notify-send (libnotify-bin)',
            );
          } else {
            log.debug({ err: err.message }, 'Notification not shown');
          }
        });
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'Notification not shown');
      }
    },
  };
}
