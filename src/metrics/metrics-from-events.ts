import type { EventBus } from '../events/event-bus.js';
import type { Stamped } from '../events/events.js';
import type { Metrics } from './metrics.js';

/**
 * Feeds the Metrics port from the event bus: stage changes give stage durations, final states give
 * job counts and durations, a return to `queued` with an error is a retry. Bytes written are the
 * size of the placed output. Returns the unsubscribe function.
 */
export function feedMetricsFromEvents(
  bus: EventBus,
  metrics: Metrics,
  fs: { stat(path: string): Promise<{ size: number }> },
): () => void {
  const stageSince = new Map<string, { stage: string; at: number }>();
  return bus.subscribe((e: Stamped) => {
    if (!('job' in e)) return;
    const { job } = e;
    const prev = stageSince.get(job.id);
    const closeStage = () => {
      if (prev && prev.stage !== 'queued') metrics.stageDone(prev.stage, job.engine, (e.at - prev.at) / 1000);
    };
    switch (e.type) {
      case 'job.created':
        stageSince.set(job.id, { stage: job.state, at: e.at });
        return;
      case 'job.stage':
        closeStage();
        if (e.from === 'queued' && job.state !== 'queued') metrics.jobStarted(job.folder, job.engine);
        if (job.state === 'queued' && job.error) {
          metrics.retry(job.folder);
          metrics.apiError(job.error.code);
        }
        if (prev?.stage === 'uploading' && job.engine === 'nemo') metrics.bytes('uploaded', job.size);
        stageSince.set(job.id, { stage: job.state, at: e.at });
        return;
      case 'job.done':
      case 'job.failed':
      case 'job.held': {
        closeStage();
        stageSince.delete(job.id);
        const state = e.type === 'job.done' ? 'done' : e.type === 'job.failed' ? 'failed' : 'held';
        metrics.jobFinished(job.folder, job.engine, state, (e.at - job.createdAt) / 1000);
        if (job.error && state !== 'done') metrics.apiError(job.error.code);
        if (state === 'done' && job.output) {
          void fs.stat(job.output).then(
            (s) => {
              metrics.bytes('written', s.size);
              if (job.engine === 'nemo') metrics.bytes('downloaded', s.size);
            },
            () => undefined,
          );
        }
        return;
      }
      default:
        return;
    }
  });
}
