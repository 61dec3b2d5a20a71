import type { AppPorts } from '../app/ports.js';
import type { Config } from '../config/config.js';
import { createEventBus, type EventBus } from '../events/event-bus.js';
import type { JobView } from '../events/events.js';
import { observeJournal } from '../events/observed-journal.js';
import type { Control } from '../http/control.js';
import { createDaemonControl, type DaemonControlDeps } from '../http/daemon-control.js';
import type { Journal } from '../jobs/journal.js';
import { feedMetricsFromEvents } from '../metrics/metrics-from-events.js';
import type { PromMetrics } from '../metrics/prom-metrics.js';
import { startChannelNotifier } from '../notify/channel-notifier.js';
import type { Pipeline } from '../queue/pipeline.js';
import { createSteering, type Steering } from '../queue/steering.js';
import type { CompleteFile } from '../watch/types.js';
import type { RuleBook } from './rule-book.js';
import type { Engines } from './workers.js';

/*
 * The daemon's control surface (page, REST, SSE, metrics, webhook/ntfy channels, pause and schedule)
 * in two steps: `prepareSurface` before the pipeline (events from the journal, metrics, the start
 * gate) and `attachSurface` once the daemon watches. The real server, registry and webhook client
 * come from `ports.surface` (the composition root).
 */

export interface PreparedSurface {
  bus: EventBus;
  /** The journal, announcing every acknowledged change on the bus. */
  journal: Journal;
  metrics: PromMetrics;
  steering: Steering;
  /** The ports with the watcher's callback counted (watcher events, settle time). */
  ports: AppPorts;
  /** A rule file loaded (or failed to): an event for the page and its rule errors. */
  rulesLoaded(folder: string, outcome: { version?: string; error?: string }): void;
}

export async function prepareSurface(
  ports: AppPorts,
  journal: Journal,
  config: () => Config,
): Promise<PreparedSurface> {
  const { clock } = ports;
  const bus = createEventBus({ now: () => clock.now() });
  const observed = observeJournal(journal, bus);
  const metrics = ports.surface.metrics(() => countByStateAndFolder(observed));
  // Cluster mode: the bus carries every node's jobs; this node's counters count its own.
  const node = config().cluster?.node;
  feedMetricsFromEvents(bus, metrics, ports.fs, (job) => !node || job.node === node);
  const steering = await createSteering({ stateDir: config().stateDir, bus, config, clock });
  const counted = (onFile: (file: CompleteFile) => void) => (file: CompleteFile) => {
    metrics.watcherEvent('file');
    metrics.settleTime(Math.max(0, clock.now() - file.mtimeMs) / 1000);
    onFile(file);
  };
  return {
    bus,
    journal: observed,
    metrics,
    steering,
    ports: { ...ports, watchInboxes: (o, onFile) => ports.watchInboxes(o, counted(onFile)) },
    rulesLoaded: (folder, outcome) => bus.publish({ type: 'rules.reloaded', folder, ...outcome }),
  };
}

function countByStateAndFolder(journal: Journal): { state: string; folder: string; count: number }[] {
  const counts = new Map<string, { state: string; folder: string; count: number }>();
  for (const j of journal.list()) {
    const key = `${j.state}\u0000${j.folder}`;
    const row = counts.get(key) ?? { state: j.state, folder: j.folder, count: 0 };
    row.count++;
    counts.set(key, row);
  }
  return [...counts.values()];
}

export interface AttachOptions {
  ports: AppPorts;
  prepared: PreparedSurface;
  config(): Config;
  pipeline: Pipeline;
  rules: RuleBook;
  engines: Engines;
  /** The daemon moved a source out of an inbox (the watcher must offer it again if it returns). */
  forget(path: string): void;
  stopped(): boolean;
}

const TICK_MS = 30_000;

/** Control, page/API/metrics server, webhook/ntfy channels and the schedule tick. */
export async function attachSurface(o: AttachOptions): Promise<{ close(): Promise<void> }> {
  const { prepared, pipeline } = o;
  const { metrics, steering, journal } = prepared;
  steering.bind(pipeline, journal);
  const control = createDaemonControl({ ...controlDeps(o), pipeline });
  // A schedule window that opens lets waiting jobs start; queue depth is sampled for metrics too.
  const tick = setInterval(() => {
    metrics.queueDepth(pipeline.stats());
    pipeline.release();
  }, TICK_MS);
  tick.unref();
  const served = await serveSurface(o, control, () => metrics.queueDepth(pipeline.stats()));
  return {
    async close() {
      clearInterval(tick);
      await served.close();
    },
  };
}

export type SurfaceParts = Omit<AttachOptions, 'pipeline'>;

/** What this node's control needs, whoever runs the jobs (the local pipeline or the cluster). */
export function controlDeps(o: SurfaceParts): Omit<DaemonControlDeps, 'pipeline'> {
  const { ports, prepared } = o;
  return {
    config: o.config,
    journal: prepared.journal,
    bus: prepared.bus,
    folders: () => o.config().folders.map((folder) => o.rules.get(folder.name) ?? { folder }),
    pause: prepared.steering.pause,
    gate: prepared.steering.gate,
    credits: () => o.engines.nemo.engine.client.credits(),
    usesCloud: () => o.config().folders.some((f) => o.rules.get(f.name)?.rule?.engine !== 'local'),
    watcherRunning: () => !o.stopped(),
    sourceLeft: o.forget,
    metrics: prepared.metrics,
    retry: ports.retryDeps(o.config().stateDir),
    clock: ports.clock,
    log: ports.log,
    printedConfig: ports.printedConfig,
  };
}

/** The page/API/metrics server and the webhook/ntfy channels over a control. */
export async function serveSurface(
  o: SurfaceParts,
  control: Control & { close(): void },
  beforeScrape: () => void,
  /** Whose jobs this node announces on webhook/ntfy channels (cluster mode: its own). */
  announces: (job: JobView) => boolean = () => true,
): Promise<{ close(): Promise<void> }> {
  const { ports, prepared } = o;
  const { bus, metrics } = prepared;
  const log = ports.log;
  const own: EventBus = {
    ...bus,
    subscribe: (listener) =>
      bus.subscribe((e) => ('job' in e && !announces(e.job) ? undefined : listener(e))),
  };
  const channels = startChannelNotifier(
    own,
    {
      channels: () => o.config().channels,
      folderChannels: (name) => o.config().folders.find((f) => f.name === name)?.channels,
    },
    log.child({ module: 'notify' }),
    { send: ports.surface.post },
  );
  const surface = await ports.surface.serve({
    http: o.config().http,
    stateDir: o.config().stateDir,
    control,
    events: bus,
    metrics: async () => {
      beforeScrape();
      return metrics.scrape();
    },
    log: log.child({ module: 'http' }),
    printedConfig: ports.printedConfig,
  });
  return {
    async close() {
      await surface?.close();
      channels.stop();
      control.close();
    },
  };
}
