import { redact } from '../core/secrets.js';
import type { Logger } from '../core/logger.js';
import type { NotifyChannels, NotifyEvent } from '../config/config.js';
import type { EventBus } from '../events/event-bus.js';
import type { Stamped } from '../events/events.js';
import { postWithBackoff, type PostOptions } from './backoff-post.js';
import { SIGNATURE_HEADER, signBody } from './webhook.js';

export interface ChannelSource {
  /** Top-level channels. */
  channels(): NotifyChannels;
  /** A folder's own channels, beside the top-level ones. */
  folderChannels(folder: string): NotifyChannels | undefined;
}

/** The JSON a webhook receives. */
export interface WebhookPayload {
  event: NotifyEvent;
  id: number;
  at: string;
  job?: { id: string; folder: string; file: string; state: string; output?: string; error?: unknown };
  drain?: boolean;
}

/**
 * Sends done/failed/held/paused events to webhooks (signed JSON) and ntfy topics. Each delivery runs
 * on its own, retried with backoff; nothing here is awaited by a job (or by stop).
 */
export function startChannelNotifier(
  bus: EventBus,
  source: ChannelSource,
  log: Logger,
  post: PostOptions,
): { stop(): void; settled(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const unsubscribe = bus.subscribe((e) => {
    const kind = notifyKind(e);
    if (!kind) return;
    const folder = 'job' in e ? e.job.folder : undefined;
    const own = folder ? source.folderChannels(folder) : undefined;
    const all = source.channels();
    const webhooks = [...all.webhooks, ...(own?.webhooks ?? [])].filter((w) => w.events.includes(kind));
    const ntfy = [...all.ntfy, ...(own?.ntfy ?? [])].filter((n) => n.events.includes(kind));
    const payload = redact(JSON.stringify(payloadOf(kind, e)));
    for (const w of webhooks) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (w.secret) headers[SIGNATURE_HEADER] = signBody(w.secret, payload);
      track(deliver('webhook', w.url, payload, headers));
    }
    for (const n of ntfy) {
      const { title, message } = ntfyText(kind, e);
      track(
        deliver('ntfy', n.url, message, { title, tags: kind === 'done' ? 'white_check_mark' : 'warning' }),
      );
    }
  });

  function track(p: Promise<void>): void {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  async function deliver(channel: string, url: string, body: string, headers: Record<string, string>) {
    const result = await postWithBackoff(url, body, headers, post);
    const where = redact(new URL(url).origin);
    if (result.ok) log.debug({ channel, to: where, attempts: result.attempts }, 'Notification delivered');
    else
      log.warn(
        { channel, to: where, attempts: result.attempts, err: result.error },
        'Notification not delivered',
      );
  }

  return {
    // Deliveries still retrying finish on their own (their timers do not hold the process open).
    stop: () => unsubscribe(),
    async settled() {
      await Promise.all([...inFlight]);
    },
  };
}

function notifyKind(e: Stamped): NotifyEvent | undefined {
  if (e.type === 'job.done') return 'done';
  if (e.type === 'job.failed') return 'failed';
  if (e.type === 'job.held') return 'held';
  if (e.type === 'paused') return 'paused';
  return undefined;
}

function payloadOf(kind: NotifyEvent, e: Stamped): WebhookPayload {
  const base = { event: kind, id: e.id, at: new Date(e.at).toISOString() };
  if ('job' in e) {
    const { job } = e;
    return {
      ...base,
      job: {
        id: job.id,
        folder: job.folder,
        file: job.file,
        state: job.state,
        ...(job.output ? { output: job.output } : {}),
        ...(job.error ? { error: job.error } : {}),
      },
    };
  }
  return e.type === 'paused' ? { ...base, drain: e.drain } : base;
}

function ntfyText(kind: NotifyEvent, e: Stamped): { title: string; message: string } {
  if ('job' in e) {
    const { job } = e;
    if (kind === 'done') return { title: 'Video ready', message: `${job.file} → ${job.output ?? ''}` };
    if (kind === 'held')
      return {
        title: 'Video waiting',
        message: `${job.file}: ${job.error?.message ?? job.heldReason ?? ''}`,
      };
    return { title: 'Video could not be converted', message: `${job.file}: ${job.error?.message ?? ''}` };
  }
  return { title: 'video-inbox paused', message: 'New jobs wait until it is resumed.' };
}
