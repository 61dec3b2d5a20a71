/** What the daemon tells a person on their desktop. */
export type NoticeKind = 'done' | 'failed' | 'credits' | 'blocked' | 'config';

export interface Notice {
  kind: NoticeKind;
  title: string;
  message: string;
}

/**
 * Fire-and-forget on purpose: a missing or hung notification service (no D-Bus session, no
 * notify-send, a headless server) must never block or crash the pipeline.
 */
export interface Notifier {
  notify(notice: Notice): void;
}

export const silentNotifier: Notifier = { notify: () => undefined };
