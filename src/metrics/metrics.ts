/**
 * What the daemon measures, as a port: the pipeline (or an event subscriber) calls these, and the
 * composition root decides whether they land in Prometheus (prom-metrics.ts) or nowhere (noopMetrics).
 */
export interface Metrics {
  jobStarted(folder: string, engine: string): void;
  jobFinished(folder: string, engine: string, state: 'done' | 'failed' | 'held', seconds: number): void;
  stageDone(stage: string, engine: string, seconds: number): void;
  bytes(direction: 'uploaded' | 'downloaded' | 'written', count: number): void;
  apiError(code: string): void;
  retry(folder: string): void;
  queueDepth(depth: { running: number; waiting: number }): void;
  credits(available: number): void;
  settleTime(seconds: number): void;
  watcherEvent(kind: string): void;
}

export const noopMetrics: Metrics = {
  jobStarted: () => undefined,
  jobFinished: () => undefined,
  stageDone: () => undefined,
  bytes: () => undefined,
  apiError: () => undefined,
  retry: () => undefined,
  queueDepth: () => undefined,
  credits: () => undefined,
  settleTime: () => undefined,
  watcherEvent: () => undefined,
};
