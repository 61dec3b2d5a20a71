import type { DaemonEvent, JobView } from './events.js';

/**
 * The job events that turn one snapshot of jobs into the next (cluster mode, where jobs run on other
 * nodes and are read from Redis every few seconds): a new job is created (or, when it already
 * ended, done/failed/held), a changed state is a stage change or its end, a changed percent or
 * message is progress. Pure: the poller publishes what this returns.
 */
export function snapshotEvents(prev: ReadonlyMap<string, JobView>, next: readonly JobView[]): DaemonEvent[] {
  const events: DaemonEvent[] = [];
  for (const job of next) {
    const before = prev.get(job.id);
    if (!before) {
      events.push(endEvent(job) ?? { type: 'job.created', job });
    } else if (before.state !== job.state) {
      events.push(endEvent(job) ?? { type: 'job.stage', job, from: before.state });
    } else if (before.percent !== job.percent || before.message !== job.message || before.node !== job.node) {
      events.push({ type: 'job.progress', job });
    }
  }
  return events;
}

function endEvent(job: JobView): DaemonEvent | undefined {
  if (job.state === 'done') return { type: 'job.done', job };
  if (job.state === 'failed') return { type: 'job.failed', job };
  if (job.state === 'held') return { type: 'job.held', job };
  return undefined;
}
