import type { Clock } from '../core/clock.js';
import type { Config, FolderConfig } from '../config/config.js';
import type { EventBus } from '../events/event-bus.js';
import { IN_FLIGHT_STATES, type JobRecord } from '../jobs/job.js';
import type { Journal } from '../jobs/journal.js';
import { feedMetricsFromEvents } from '../metrics/metrics-from-events.js';
import { createPromMetrics, type PromMetrics } from '../metrics/prom-metrics.js';
import { startChannelNotifier } from '../notify/channel-notifier.js';
import { createStartGate, type StartGate } from '../schedule/gate.js';
import { openPauseControl, type PauseControl } from '../schedule/pause-control.js';
import { parseSchedule, type ScheduleWindow } from '../schedule/schedule-policy.js';
import { createDaemonControl, type DaemonControlDeps } from './daemon-control.js';
import { startSurface } from './start-surface.js';

/*
 * The seams between today's daemon (src/daemon/daemon.ts) and the control surface. The daemon calls
 * three things: `createSteering` before its pipeline (pause flag + schedule gate), `createDaemonMetrics`
 * after its journal, and `attachSurface` once it is watching. Everything else lives behind ports.
 */

export interface Steering {
  pause: PauseControl;
  gate: StartGate;
  /** For the pipeline's `canStart`. */
  canStart(job: JobRecord): boolean;
  /** Bind what pause/resume do to the pipeline, once it exists. */
  bind(pipeline: SteeredPipeline, journal: Journal): void;
}

export interface SteeredPipeline {
  abortRunning(): string[];
  release(): void;
  submit(job: JobRecord): boolean;
}

export async function createSteering(o: {
  stateDir: string;
  bus: EventBus;
  config: () => Config;
  clock: Clock;
}): Promise<Steering> {
  let bound: { pipeline: SteeredPipeline; journal: Journal } | undefined;
  const pause = await openPauseControl(o.stateDir, o.bus, {
    stopRunning: () => bound?.pipeline.abortRunning(),
    restart: () => {
      if (!bound) return;
      bound.pipeline.release();
      // Jobs stopped at their checkpoint by a pause are still in flight in the journal.
      for (const job of bound.journal.list({ state: IN_FLIGHT_STATES }))
        if (job.plan) bound.pipeline.submit(job);
    },
  });
  const cache = new Map<string, ScheduleWindow[] | undefined>();
  const windows = (list: string[] | undefined) => {
    if (!list) return undefined;
    const key = list.join('\n');
    if (!cache.has(key)) cache.set(key, parseSchedule(list));
    return cache.get(key);
  };
  const gate = createStartGate({
    paused: () => pause.paused(),
    schedule: () => windows(o.config().schedule),
    folderSchedule: (name) => windows(o.config().folders.find((f) => f.name === name)?.schedule),
  });
  return {
    pause,
    gate,
    canStart: (job) => gate.canStartNewJob(new Date(o.clock.now()), job.folder),
    bind(pipeline, journal) {
      bound = { pipeline, journal };
    },
  };
}

export function createDaemonMetrics(journal: Journal, bus: EventBus): PromMetrics & { stop(): void } {
  const metrics = createPromMetrics({
    jobStates: () => {
      const counts = new Map<string, { state: string; folder: string; count: number }>();
      for (const j of journal.list()) {
        const key = `${j.state}\u0000${j.folder}`;
        const row = counts.get(key) ?? { state: j.state, folder: j.folder, count: 0 };
        row.count++;
        counts.set(key, row);
      }
      return [...counts.values()];
    },
  });
  const stop = feedMetricsFromEvents(bus, metrics);
  return Object.assign(metrics, { stop });
}

export interface AttachOptions extends Omit<DaemonControlDeps, 'pause' | 'gate' | 'metrics'> {
  steering: Steering;
  metrics: PromMetrics;
  pipeline: DaemonControlDeps['pipeline'] & { release(): void };
  folderConfig(name: string): FolderConfig | undefined;
}

const TICK_MS = 30_000;

/** Control, page/API/metrics server, webhook/ntfy channels and the schedule tick. */
export async function attachSurface(o: AttachOptions): Promise<{ close(): Promise<void> }> {
  const control = createDaemonControl({ ...o, pause: o.steering.pause, gate: o.steering.gate });
  const channels = startChannelNotifier(
    o.bus,
    {
      channels: () => o.config().channels,
      folderChannels: (name) => o.folderConfig(name)?.channels,
    },
    o.log.child({ module: 'notify' }),
  );
  // A schedule window that opens lets waiting jobs start; queue depth is sampled for metrics too.
  const tick = setInterval(() => {
    o.metrics.queueDepth(o.pipeline.stats());
    o.pipeline.release();
  }, TICK_MS);
  tick.unref();
  const surface = await startSurface({
    http: o.config().http,
    stateDir: o.config().stateDir,
    control,
    events: o.bus,
    metrics: async () => {
      o.metrics.queueDepth(o.pipeline.stats());
      return o.metrics.scrape();
    },
    log: o.log.child({ module: 'http' }),
  });
  return {
    async close() {
      clearInterval(tick);
      await surface?.close();
      channels.stop();
      control.close();
    },
  };
}
