import { DelayedError, type Job } from 'bullmq';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { JobPlan, JobRecord } from '../domain/job.js';
import type { Engine } from '../engines/engine.js';
import type { Notifier } from '../notify/notifier.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { applyAfterAction } from '../outbox/source-action.js';
import { runJob, type RunResult } from '../run/run-job.js';
import type { ClusterJobResult, ClusterProcessor } from './backend.js';
import type { DoneSet } from './done-set.js';
import { jobDataStore, type ClusterJobData, type JobDataStore } from './job-data-store.js';

export interface ClusterProcessorDeps {
  node: string;
  engines: Partial<Record<JobPlan['engine'], Engine>>;
  fs: OutboxFs;
  /** The content hash, for the one job path's check that the source is still what was taken. */
  hashFile(path: string): Promise<string>;
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
  /** The daemon's config when not the default, named in the commands it prints. */
  printedConfig?: string;
  /** This node's schedule for the folder is closed: how long its new job waits (undefined: open). */
  closedFor?(folder: string): number | undefined;
}

/**
 * The BullMQ processor of both queues: one job, run by the one job path (`runJob`, as the daemon and
 * `convert` run theirs) with the BullMQ job's data as its `JobRecords`. Outcomes map onto BullMQ:
 * done/failed complete the job (a failed source is already set aside with its reason); retry, hold
 * and a stop move it to delayed (DelayedError), keeping its checkpoints for whichever node runs it
 * next. Anything that escapes (Redis unreachable mid-job) is thrown, and BullMQ's attempts/backoff,
 * or its stalled-job recovery, bring it back once Redis is.
 */
export function clusterProcessor(deps: ClusterProcessorDeps): ClusterProcessor {
  return async (job, token) => {
    const record = job.data.record;
    const { node } = deps;
    const log = deps.log.child({ job: record.id, file: record.sourceName, node });
    if (record.state === 'done' && record.output) {
      // A node died between recording "done" and completing the job: only the bookkeeping is left.
      await deps.doneSet.add(record.contentHash, record.ruleVersion, doneEntry(deps, record, record.output));
      return { kind: 'done', output: record.output, node };
    }
    const plan = record.plan;
    if (!plan) return { kind: 'failed', code: 'INTERNAL', node };
    // A new job of a folder whose window is closed here goes back to the queue, for an open node or later.
    const closed = record.state === 'queued' ? deps.closedFor?.(record.folder) : undefined;
    if (closed !== undefined) {
      log.debug({ folder: record.folder, waitMs: closed }, 'Outside the folder schedule on this node');
      await job.moveToDelayed(deps.clock.now() + closed, token);
      throw new DelayedError();
    }
    const store = jobDataStore(job, { clock: deps.clock, token, lockMs: deps.lockMs, node });
    const duplicate = await convertedBefore(deps, store, record, plan, log);
    if (duplicate) return duplicate;
    // This node marks itself as the job's runner. (An output an earlier owner placed but could not
    // record is found by the job path, before it runs anything.)
    const current = store.current();
    await job.updateData({ record: current, node });
    log.info({ engine: plan.engine, resume: Object.keys(record.remote) }, 'Job started on this node');
    const result = await run(deps, store, current, plan);
    return settle(deps, job, token, store, result);
  };
}

function doneEntry(deps: ClusterProcessorDeps, record: JobRecord, output: string) {
  return { jobId: record.id, output, node: deps.node, at: deps.clock.now() };
}

/** Converted before (this id was queued again after its job was trimmed): not paid again. */
async function convertedBefore(
  deps: ClusterProcessorDeps,
  store: JobDataStore,
  record: JobRecord,
  plan: JobPlan,
  log: Logger,
): Promise<ClusterJobResult | undefined> {
  if (record.output) return undefined;
  const done = await deps.doneSet.get(record.contentHash, record.ruleVersion);
  if (!done) return undefined;
  const sourceNow =
    plan.after === 'keep'
      ? record.source
      : await applyAfterAction(record.source, plan.inbox, 'archive', { fs: deps.fs }).catch(
          () => record.source,
        );
  await store.update(record.id, {
    state: 'done',
    output: done.output,
    message: `Source now at ${sourceNow}`,
  });
  log.info({ output: done.output, by: done.node }, 'Already converted by the cluster; not converted again');
  return { kind: 'duplicate', output: done.output, node: deps.node };
}

async function run(
  deps: ClusterProcessorDeps,
  store: JobDataStore,
  record: JobRecord,
  plan: JobPlan,
): Promise<RunResult> {
  const controller = new AbortController();
  const onStop = () => controller.abort();
  deps.stopSignal.addEventListener('abort', onStop, { once: true });
  if (deps.stopSignal.aborted) controller.abort();
  try {
    const runDeps = { ...deps, records: store, log: deps.log.child({ node: deps.node }) };
    return await runJob(record, plan, runDeps, controller.signal);
  } finally {
    deps.stopSignal.removeEventListener('abort', onStop);
  }
}

async function settle(
  deps: ClusterProcessorDeps,
  job: Job<ClusterJobData>,
  token: string | undefined,
  store: JobDataStore,
  result: RunResult,
): Promise<ClusterJobResult> {
  const { node } = deps;
  const record = store.current();
  switch (result.kind) {
    case 'done':
      await deps.doneSet.add(record.contentHash, record.ruleVersion, doneEntry(deps, record, result.output));
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
}
