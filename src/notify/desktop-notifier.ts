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
 * The warning when a notification cannot be shown, naming the likely cause: on Linux most often no
 * desktop session (a daemon started over SSH, in a container, by a system service), not a missing
 * notify-send.
 */
export function notificationTrouble(
  message: string,
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const silence = 'set `notify: none` in the config to silence this';
  if (/notify-send/i.test(message) && /(not found|must be installed|ENOENT)/i.test(message)) {
    return `Desktop notifications are not working: notify-send is missing; install it (libnotify-bin), or ${silence}`;
  }
  const noSession = !env.DBUS_SESSION_BUS_ADDRESS && !env.DISPLAY && !env.WAYLAND_DISPLAY;
  if (platform === 'linux' && (noSession || /d-?bus|display/i.test(message))) {
    return `Desktop notifications are not working: this daemon runs outside a desktop session (no D-Bus session bus or display), so there is nowhere to show them; run it from your desktop login (or as the user service), or ${silence}`;
  }
  return `Desktop notifications are not working (see err); ${silence}`;
}

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
            log.warn({ err: err.message }, notificationTrouble(err.message));
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
