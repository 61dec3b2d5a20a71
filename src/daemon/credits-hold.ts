import { toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Journal } from '../jobs/journal.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import type { Pipeline } from '../queue/pipeline.js';

export interface CreditsHoldDeps {
  pipeline: Pipeline;
  journal: Journal;
  notifier: Notifier;
  log: Logger;
  /** The account's balance (the cloud client's credits call). */
  credits(): Promise<{ available: number }>;
  /** How often to check while held (config `api.creditsCheckSeconds`, read at each hold). */
  checkEveryMs(): number;
}

export interface CreditsHold {
  /** A cloud job ran out of credits: pause cloud jobs, tell the person once, check until they are back. */
  hold(hint: string | undefined): void;
  stop(): void;
}

/** Out of credits: cloud jobs wait (local ones go on) and resume by themselves when credits return. */
export function creditsHold(deps: CreditsHoldDeps): CreditsHold {
  const { pipeline, journal, log } = deps;
  let timer: NodeJS.Timeout | undefined;

  async function check(): Promise<void> {
    try {
      const { available } = await deps.credits();
      if (available <= 0) return;
    } catch (err) {
      log.debug({ err: toVideoInboxError(err).message }, 'Credits check failed');
      return;
    }
    stop();
    log.info('Credits are back; resuming cloud jobs');
    pipeline.resumeRemote();
    for (const job of journal.list({ state: 'held' })) {
      if (job.heldReason !== 'credits') continue;
      pipeline.submit(await journal.update(job.id, { state: 'queued', heldReason: undefined }));
    }
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  return {
    hold(hint) {
      if (pipeline.remotePaused) return;
      pipeline.pauseRemote();
      const link = hint?.match(/https?:\/\/\S+/)?.[0]?.replace(/[.,)]+$/, '');
      log.warn('Out of credits: cloud jobs are paused until credits return');
      deps.notifier.notify(notices.credits(link));
      timer = setInterval(() => void check(), deps.checkEveryMs());
      timer.unref();
    },
    stop,
  };
}
