import { DelayedError, type Job } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Engine } from '../engines/engine.js';
import type { Notifier } from '../notify/notifier.js';
import { outputTempPath } from '../outbox/place.js';
import { applyAfterAction } from '../outbox/source-action.js';
import type { JobPlan } from '../jobs/job-plan.js';
import { runJob } from '../daemon/run-job.js';
import type { DoneSet } from './done-set.js';
import { jobDataStore, type ClusterJobData } from './job-data-store.js';
import { recoverPlacedOutput } from './placed-output.js';

/** What a finished cluster job returns (kept by BullMQ with the completed job). */
export type ClusterJobResult =
  | { kind: 'done'; output: string; node: string }
  | { kind: 'duplicate'; output: string; node: string }
  | { kind: 'failed'; code: string; setAsideTo?: string; node: string };

export interface ClusterProcessorDeps {
  node: string;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  notifier: Notifier;
  log: Logger;
  clock: Clock;
  ffprobe: string | undefined;
  doneSet: DoneSet;
  lockMs: number;
  /** Aborted when this node stops: running jobs checkpoint and go back to the queue for any node. */
  stopSignal: AbortSignal;
  /** Out of credits: hold cloud jobs on every node (pause the cloud queue globally). */
  holdCloud(hint: string | undefined): Promise<void>;
}

/**
 * The BullMQ processor of both queues: one job, run by the same `runJob` the single-host daemon
 * uses, with the job's BullMQ data as its journal. Outcomes map onto BullMQ as follows:
 * done/failed complete the job (a failed source is already set aside with its reason); retry, hold and
 * a stop move it to delayed (DelayedError), keeping its checkpoints for whichever node runs it next.
 * Anything that escapes (Redis unreachable mid-job) is thrown, and BullMQ's attempts/backoff, or its
 * stalled-job recovery, bring it back once Redis is.
 *
 * Seam: `runJob` + `jobDataStore` are the job path and its record port; after the composition-root
 * reshape this calls the one use-case function with the same store.
 */
export function clusterProcessor(deps: ClusterProcessorDeps) {
  return async (job: Job<ClusterJobData>, token?: string): Promise<ClusterJobResult> => {
    const record = job.data.record;
    const log = deps.log.child({ job: record.id, file: record.sourceName, node: deps.node });
    const { node } = deps;
    const doneEntry = (output: string) => ({ jobId: record.id, output, node, at: deps.clock.now() });
    if (record.state === 'done' && record.output) {
      // A node died between recording "done" and completing the job: only the bookkeeping is left.
      await deps.doneSet.add(record.contentHash, record.ruleVersion, doneEntry(record.output));
      return { kind: 'done', output: record.output, node };
    }
    const plan = record.plan;
    if (!plan) return { kind: 'failed', code: 'INTERNAL', node };
    const store = jobDataStore(job, { clock: deps.clock, token, lockMs: deps.lockMs, node });

    if (!record.output) {
      const done = await deps.doneSet.get(record.contentHash, record.ruleVersion);
      if (done) {
        // Converted before (this id was queued again after its job was trimmed): not paid again.
        const sourceNow =
          plan.after === 'keep'
            ? record.source
            : await applyAfterAction(record.source, plan.inbox, 'archive').catch(() => record.source);
        await store.update(record.id, {
          state: 'done',
          output: done.output,
          message: `Source now at ${sourceNow}`,
        });
        log.info(
          { output: done.output, by: done.node },
          'Already converted by the cluster; not converted again',
        );
        return { kind: 'duplicate', output: done.output, node };
      }
    }

    let current = record;
    const placed = record.output
      ? undefined
      : // Placed but not recorded (the last owner died in between): record it, never place a second copy.
        await recoverPlacedOutput(outputTempPath(plan.outbox, record.id), plan.outbox, plan.outputName);
    if (placed) {
      current = await store.update(record.id, { output: placed });
      log.info({ output: placed }, 'Output placed by an earlier run; recorded');
    } else {
      await job.updateData({ record, node });
    }
    log.info({ engine: plan.engine, resume: Object.keys(record.remote) }, 'Job started on this node');
    const controller = new AbortController();
    const onStop = () => controller.abort();
    deps.stopSignal.addEventListener('abort', onStop, { once: true });
    if (deps.stopSignal.aborted) controller.abort();
    let result;
    try {
      result = await runJob(
        current,
        plan,
        {
          journal: store,
          engines: deps.engines,
          notifier: deps.notifier,
          log: deps.log.child({ node }),
          clock: deps.clock,
          ffprobe: deps.ffprobe,
        },
        controller.signal,
      );
    } finally {
      deps.stopSignal.removeEventListener('abort', onStop);
    }
    switch (result.kind) {
      case 'done':
        await deps.doneSet.add(record.contentHash, record.ruleVersion, doneEntry(result.output));
        return { kind: 'done', output: result.output, node };
      case 'failed':
        return { kind: 'failed', code: result.error.code, setAsideTo: result.setAsideTo, node };
      case 'held':
        await deps.holdCloud(result.error.hint);
        await job.moveToDelayed(deps.clock.now() + 1000, token);
        throw new DelayedError();
      case 'retry':
        await job.moveToDelayed(deps.clock.now() + result.delayMs, token);
        throw new DelayedError();
      case 'checkpoint':
        if (store.lost) throw new Error('Another node took this job over');
        // Stopping: back to the queue at once, for any node (this one resumes it after a restart).
        await job.moveToDelayed(deps.clock.now(), token);
        throw new DelayedError();
    }
  };
}
