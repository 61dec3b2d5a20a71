import { access } from 'node:fs/promises';
import type { Clock } from '../core/clock.js';
import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Engine, Progress, RemoteIds } from '../engines/engine.js';
import type { JobRecord, JobState } from '../jobs/job.js';
import type { Journal } from '../jobs/journal.js';
import { notices } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { ensureFreeSpace, expectedOutputBytes } from '../outbox/free-space.js';
import { placeOutput, outputTempPath } from '../outbox/place.js';
import { applyAfterAction } from '../outbox/source-action.js';
import { setAside } from '../outbox/failed.js';
import type { BlockedFolderReporter } from '../outbox/blocked-folder.js';
import type { JobPlan } from '../jobs/job-plan.js';
import { decideOutcome } from './outcome.js';

export interface RunJobDeps {
  journal: Journal;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  notifier: Notifier;
  log: Logger;
  clock: Clock;
  ffprobe?: string;
  /** Reports a `_done`/`_failed` blocked by a file, once per path. */
  blockedFolders?: BlockedFolderReporter;
  /** How often progress may be written to the journal; stage changes are written at once. */
  progressIntervalMs?: number;
}

export type RunResult =
  | { kind: 'done'; output: string }
  | { kind: 'failed'; error: VideoInboxError; setAsideTo?: string }
  | { kind: 'held'; reason: 'credits'; error: VideoInboxError }
  | { kind: 'retry'; delayMs: number; error: VideoInboxError }
  | { kind: 'checkpoint' };

const STAGE_TO_STATE: Partial<Record<Progress['stage'], JobState>> = {
  uploading: 'uploading',
  instructing: 'instructing',
  rendering: 'rendering',
  downloading: 'downloading',
  converting: 'converting',
  probing: 'converting',
  placing: 'placing',
};

/**
 * Runs one job from wherever the journal says it is to done, failed (set aside with its reason) or
 * held, in the order that keeps the source safe: output placed and verified, then the source touched.
 */
export async function runJob(
  job: JobRecord,
  plan: JobPlan,
  deps: RunJobDeps,
  signal: AbortSignal,
): Promise<RunResult> {
  const log = deps.log.child({ job: job.id, file: job.sourceName });
  const { journal } = deps;
  let remote: RemoteIds = { ...job.remote };
  try {
    let output = job.output;
    if (!output) {
      await access(job.source).catch(async (cause: unknown) => {
        // An inbox that is gone (an unmounted share) is not a deleted file: wait for it to return.
        const inboxThere = await access(plan.inbox).then(
          () => true,
          () => false,
        );
        throw inboxThere
          ? new VideoInboxError('SOURCE_GONE', 'The source file was removed before it was converted', {
              cause,
              hint: 'Put the file back into the inbox to convert it.',
            })
          : new VideoInboxError(
              'INBOX_MISSING',
              `The inbox ${plan.inbox} is not there (an unmounted share?)`,
              {
                cause,
                retryable: true,
                hint: 'Mount the share or recreate the folder; the job resumes by itself.',
              },
            );
      });
      await ensureFreeSpace(plan.outbox, expectedOutputBytes(job.size));
      const engine = deps.engines[plan.engine];
      if (!engine) {
        throw new VideoInboxError('INTERNAL', `The ${plan.engine} engine is not available`, {
          hint:
            plan.engine === 'local' ? 'Install ffmpeg, then run `video-inbox retry --failed`.' : undefined,
        });
      }
      const temp = outputTempPath(plan.outbox, job.id);
      const reporter = progressReporter(journal, job.id, deps.clock, deps.progressIntervalMs ?? 1000, log);
      const result = await engine.run(
        {
          jobId: job.id,
          input: job.source,
          instructions: plan.instructions,
          skill: plan.skill,
          language: plan.language,
          quality: plan.quality,
          destination: temp,
          resume: remote,
          local: plan.local,
        },
        {
          signal,
          progress: reporter,
          checkpoint: async (ids) => {
            remote = { ...remote, ...ids };
            await journal.update(job.id, { remote });
          },
        },
      );
      await journal.update(job.id, { state: 'placing', message: 'Checking the output' });
      output = await placeOutput({
        temp,
        outboxDir: plan.outbox,
        name: plan.outputName,
        expectedDurationSec:
          result.durationSec ?? (plan.engine === 'local' ? plan.sourceDurationSec : undefined),
        ffprobe: deps.ffprobe,
        // Recorded the moment the final name exists, so a crash before the temp is removed can never
        // lead to a second render and a "(1)" copy.
        onPlaced: async (path) => {
          await journal.update(job.id, { output: path });
        },
      });
      await journal.update(job.id, { output, message: result.summary });
      log.info({ output, summary: result.summary }, 'Output placed');
    }
    // A source saved over while it converted is new content: it stays for its own job.
    const sourceNow = await applyAfterAction(job.source, plan.inbox, plan.after, {
      expect: { size: job.size, mtimeMs: job.mtimeMs },
    }).catch(async (err: unknown) => {
      // The output is safe in the outbox; a source we could not archive stays where it is.
      const e = toVideoInboxError(err);
      deps.blockedFolders?.report(e);
      log.warn(
        { err: e.message, code: e.code },
        'Could not archive or delete the source; it was left in place',
      );
      return job.source;
    });
    await journal.update(job.id, {
      state: 'done',
      percent: 100,
      message: sourceNow ? `Source now at ${sourceNow}` : 'Source removed',
    });
    deps.notifier.notify(notices.done(job.source, output));
    return { kind: 'done', output };
  } catch (thrown) {
    const error = toVideoInboxError(thrown);
    const attempts = job.attempts + 1;
    const outcome = decideOutcome(error, attempts);
    const errorRecord = { code: error.code, message: error.message, hint: error.hint };
    switch (outcome.kind) {
      case 'checkpoint':
        log.info('Stopped; the job resumes from its last checkpoint at the next start');
        return { kind: 'checkpoint' };
      case 'hold':
        await journal.update(job.id, { state: 'held', heldReason: outcome.reason, error: errorRecord });
        return { kind: 'held', reason: outcome.reason, error };
      case 'retry':
        log.warn(
          { code: error.code, err: error.message, attempts, inMs: outcome.delayMs },
          'Job failed for now; it will be retried',
        );
        await journal.update(job.id, {
          state: 'queued',
          attempts,
          error: errorRecord,
          message: `Retrying after: ${error.message}`,
        });
        return { kind: 'retry', delayMs: outcome.delayMs, error };
      case 'fail': {
        log.error({ code: error.code, err: error.message }, 'Job failed');
        const moving =
          error.code === 'SOURCE_GONE'
            ? Promise.resolve(undefined)
            : setAside(job.source, plan.inbox, errorRecord);
        const setAsideTo = await moving.catch((err: unknown) => {
          deps.blockedFolders?.report(toVideoInboxError(err));
          log.error(
            { err: toVideoInboxError(err).message },
            'Could not move the failed source to _failed/; it stays in the inbox',
          );
          return undefined;
        });
        await journal.update(job.id, {
          state: 'failed',
          attempts,
          error: errorRecord,
          ...(setAsideTo ? { output: undefined } : {}),
        });
        deps.notifier.notify(
          error.code === 'EXPORT_BLOCKED'
            ? notices.blocked(job.source)
            : notices.failed(
                job.source,
                error.hint ? `${error.message}. ${error.hint}` : error.message,
                setAsideTo,
              ),
        );
        return { kind: 'failed', error, setAsideTo };
      }
    }
  }
}

function progressReporter(journal: Journal, id: string, clock: Clock, intervalMs: number, log: Logger) {
  let lastState: JobState | undefined;
  let lastWrite = 0;
  let lastMessage: string | undefined;
  return (p: Progress): void => {
    const state = STAGE_TO_STATE[p.stage];
    const now = clock.now();
    const stageChanged = state !== undefined && state !== lastState;
    if (p.message && p.message !== lastMessage) {
      lastMessage = p.message;
      log.info({ stage: p.stage, percent: p.percent }, p.message);
    }
    if (!stageChanged && now - lastWrite < intervalMs) return;
    lastWrite = now;
    if (state) lastState = state;
    journal
      .update(id, { ...(state ? { state } : {}), percent: p.percent, message: p.message })
      .catch((err: unknown) =>
        log.warn({ err: toVideoInboxError(err).message }, 'Could not record progress'),
      );
  };
}
