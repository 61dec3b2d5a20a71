import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from './metrics.js';

export interface PromMetrics extends Metrics {
  readonly registry: Registry;
  /** The text exposition format for GET /metrics. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

const PREFIX = 'video_inbox_';
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600];

/**
 * Prometheus adapter of the Metrics port. Its own registry (never the global one), so two daemons in
 * one process (tests) do not collide; default process metrics are prefixed too.
 * `jobStates` is read at scrape time: jobs by state and folder come straight from the journal.
 */
export function createPromMetrics(
  opts: { jobStates?: () => { state: string; folder: string; count: number }[] } = {},
): PromMetrics {
  const registry = new Registry();
  // The event-loop lag monitor samples every 10 ms by default: 100 wake-ups a second, most of an
  // idle daemon's CPU (bench/idle-scale.ts). Once a second still shows a loop that stalls.
  collectDefaultMetrics({ register: registry, prefix: PREFIX, eventLoopMonitoringPrecision: 1000 });
  const { started, finished, jobSeconds, stageSeconds, retries } = jobInstruments([registry]);
  const { bytes, apiErrors, queue, credits, settle, watcher } = flowInstruments([registry]);
  jobsGauge([registry], opts.jobStates);
  return {
    registry,
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    jobStarted: (folder, engine) => started.inc({ folder, engine }),
    jobFinished: (folder, engine, state, seconds) => {
      finished.inc({ folder, engine, state });
      jobSeconds.observe({ engine, state }, seconds);
    },
    stageDone: (stage, engine, seconds) => stageSeconds.observe({ stage, engine }, seconds),
    bytes: (direction, count) => bytes.inc({ direction }, count),
    apiError: (code) => apiErrors.inc({ code }),
    retry: (folder) => retries.inc({ folder }),
    queueDepth: ({ running, waiting }) => {
      queue.set({ kind: 'running' }, running);
      queue.set({ kind: 'waiting' }, waiting);
    },
    credits: (available) => credits.set(available),
    settleTime: (seconds) => settle.observe(seconds),
    watcherEvent: (kind) => watcher.inc({ kind }),
  };
}

/** What jobs do: started, finished, how long they and their stages took, retries. */
function jobInstruments(r: Registry[]) {
  return {
    started: new Counter({
      name: `${PREFIX}jobs_started_total`,
      help: 'Jobs that began running.',
      labelNames: ['folder', 'engine'],
      registers: r,
    }),
    finished: new Counter({
      name: `${PREFIX}jobs_finished_total`,
      help: 'Jobs that ended done, failed or held.',
      labelNames: ['folder', 'engine', 'state'],
      registers: r,
    }),
    jobSeconds: new Histogram({
      name: `${PREFIX}job_duration_seconds`,
      help: 'From taken to finished.',
      labelNames: ['engine', 'state'],
      buckets: DURATION_BUCKETS,
      registers: r,
    }),
    stageSeconds: new Histogram({
      name: `${PREFIX}stage_duration_seconds`,
      help: 'Time spent in each stage.',
      labelNames: ['stage', 'engine'],
      buckets: DURATION_BUCKETS,
      registers: r,
    }),
    retries: new Counter({
      name: `${PREFIX}retries_total`,
      help: 'Jobs sent back to the queue after a transient error.',
      labelNames: ['folder'],
      registers: r,
    }),
  };
}

/** What flows around the jobs: bytes, API errors, the queue, credits, settling and the watcher. */
function flowInstruments(r: Registry[]) {
  return {
    bytes: new Counter({
      name: `${PREFIX}bytes_total`,
      help: 'Bytes uploaded, downloaded and written to outboxes.',
      labelNames: ['direction'],
      registers: r,
    }),
    apiErrors: new Counter({
      name: `${PREFIX}api_errors_total`,
      help: 'Errors by stable code (API and local).',
      labelNames: ['code'],
      registers: r,
    }),
    queue: new Gauge({
      name: `${PREFIX}queue_depth`,
      help: 'Jobs running and waiting.',
      labelNames: ['kind'],
      registers: r,
    }),
    credits: new Gauge({
      name: `${PREFIX}credits_available`,
      help: 'NemoVideo credits at the last check.',
      registers: r,
    }),
    settle: new Histogram({
      name: `${PREFIX}settle_seconds`,
      help: 'From the last change of a detected file to its being taken.',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: r,
    }),
    watcher: new Counter({
      name: `${PREFIX}watcher_events_total`,
      help: 'Files offered by the watcher.',
      labelNames: ['kind'],
      registers: r,
    }),
  };
}

/** Jobs in the journal by state and folder, read from `jobStates` at each scrape. */
function jobsGauge(
  r: Registry[],
  jobStates: (() => { state: string; folder: string; count: number }[]) | undefined,
) {
  new Gauge({
    name: `${PREFIX}jobs`,
    help: 'Jobs in the journal by state and folder.',
    labelNames: ['state', 'folder'],
    registers: r,
    collect() {
      this.reset();
      for (const row of jobStates?.() ?? []) this.set({ state: row.state, folder: row.folder }, row.count);
    },
  });
}
