import type { EventBus } from '../events/event-bus.js';
import type { JobView, Stamped } from '../events/events.js';
import type { Metrics } from './metrics.js';

/**
 * The part of the Metrics port only the journal's events know: how long each stage lasted (stage
 * changes), the bytes uploaded (leaving `uploading`), and the bytes downloaded and written (the placed
 * output's size). Jobs started and finished, retries and error codes come from the pipeline itself.
 * Returns the unsubscribe function.
 */
export function feedMetricsFromEvents(
  bus: EventBus,
  metrics: Metrics,
  fs: { stat(path: string): Promise<{ size: number }> },
  /** Which jobs count (cluster mode: this node's, not those other nodes run). */
  counts: (job: JobView) => boolean = () => true,
): () => void {
  const stageSince = new Map<string, { stage: string; at: number }>();
  return bus.subscribe((e: Stamped) => {
    if (!('job' in e)) return;
    const { job } = e;
    if (!counts(job)) return;
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
        if (prev?.stage === 'uploading' && job.engine === 'nemo') metrics.bytes('uploaded', job.size);
        stageSince.set(job.id, { stage: job.state, at: e.at });
        return;
      case 'job.done':
      case 'job.failed':
      case 'job.held':
        closeStage();
        stageSince.delete(job.id);
        if (e.type === 'job.done' && job.output) {
          void fs.stat(job.output).then(
            (s) => {
              metrics.bytes('written', s.size);
              if (job.engine === 'nemo') metrics.bytes('downloaded', s.size);
            },
            () => undefined,
          );
        }
        return;
      default:
        return;
    }
  });
}
