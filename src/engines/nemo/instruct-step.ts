import { ApiError } from '../../core/errors.js';
import { draftFingerprint, isExportable } from './draft.js';
import { draftNotExportable, type NemoJob } from './nemo-job.js';
import { backoffMs } from './retry-policy.js';

const RESENDABLE = new Set(['NETWORK', 'SSE_TIMEOUT', 'SERVER_ERROR', 'RATE_LIMITED']);

/**
 * Sends instruction `i` over SSE and waits for the agent to finish it, never paying twice for one
 * instruction: one sent before a restart is skipped if the draft shows it applied, and a broken
 * stream is resent only if the draft did not move.
 */
export async function instructStep(job: NemoJob, i: number): Promise<void> {
  if (await appliedBeforeRestart(job, i)) {
    job.log.info({ instruction: i }, 'Instruction already applied before the restart; not resending');
    await job.save({ instructionsDone: i + 1 });
    return;
  }
  const { client } = job.deps;
  const before = draftFingerprint((await client.state(job.sessionId, job.call)).draft);
  await job.save({ instructionStarted: i, draftBefore: before });
  say(job, `Sending instruction ${i + 1} of ${job.request.instructions.length}`);
  const sawText = await sendWithResend(job, i, before);
  if (!sawText) {
    // About 30% of streams end without a word: the state tells whether anything happened.
    const state = await client.state(job.sessionId, job.call);
    if (!isExportable(state.draft)) throw draftNotExportable();
  }
  await job.save({ instructionsDone: i + 1 });
  job.log.info({ sessionId: job.sessionId, instruction: i, sawText }, 'Instruction done');
}

function say(job: NemoJob, message: string): void {
  job.hooks.progress({ stage: 'instructing', message });
}

/** Restarted between sending and finishing: the server may have done it already. */
async function appliedBeforeRestart(job: NemoJob, i: number): Promise<boolean> {
  if (!job.resumed || job.ids.instructionStarted !== i) return false;
  const state = await job.deps.client.state(job.sessionId, job.call);
  // With the draft's fingerprint from before the send, a later instruction on an already
  // exportable draft is only skipped when it really changed something.
  return job.ids.draftBefore === undefined
    ? isExportable(state.draft)
    : isExportable(state.draft) && draftFingerprint(state.draft) !== job.ids.draftBefore;
}

/** Sends until one stream ends (or the draft moved); returns whether the agent said anything. */
async function sendWithResend(job: NemoJob, i: number, before: string): Promise<boolean> {
  const { client, clock, random, stages, maxSends } = job.deps;
  const text = job.request.instructions[i] as string;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await stages.run(
        'sse',
        () => client.instruct(job.sessionId, text, { ...job.call, onMessage: (m) => say(job, m) }),
        job.call.signal,
      );
      job.texts.push(...outcome.texts);
      return outcome.sawText;
    } catch (err) {
      if (!(err instanceof ApiError) || !RESENDABLE.has(err.code) || attempt >= maxSends) throw err;
      // The stream broke off; if the draft moved, the agent got the message and need not be paid twice.
      const state = await client.state(job.sessionId, job.call);
      if (isExportable(state.draft) && draftFingerprint(state.draft) !== before) {
        job.log.warn(
          { code: err.code, instruction: i },
          'Instruction stream broke off after the draft changed; not resending',
        );
        return true;
      }
      const delayMs = backoffMs(attempt, client.settings.retry, random);
      job.log.warn(
        { code: err.code, instruction: i, attempt, delayMs },
        'Instruction stream broke off; resending',
      );
      await clock.sleep(delayMs, job.hooks.signal);
    }
  }
}
