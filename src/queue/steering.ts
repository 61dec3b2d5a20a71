import type { Clock } from '../core/clock.js';
import type { Config } from '../config/config.js';
import { IN_FLIGHT_STATES, type JobRecord } from '../domain/job.js';
import type { EventBus } from '../events/event-bus.js';
import type { Journal } from '../jobs/journal.js';
import { parseSchedule, type ScheduleWindow } from '../schedule/schedule-policy.js';
import { openPauseControl, type PauseControl } from './pause-control.js';
import { createStartGate, type StartGate } from './start-gate.js';

/** The pipeline's gate: the person's pause (persisted) and the schedule windows. */
export interface Steering {
  pause: PauseControl;
  gate: StartGate;
  /** For the pipeline's `canStart`. */
  canStart(job: JobRecord): boolean;
  /** Bind what pause/resume do to the pipeline, once it exists. */
  bind(pipeline: SteeredPipeline, journal: Pick<Journal, 'list'>): void;
}

export interface SteeredPipeline {
  abortRunning(): string[];
  release(): void;
  submit(job: JobRecord): boolean;
}

/** Built before the pipeline (which asks `canStart`); `bind` tells it the pipeline afterwards. */
export async function createSteering(o: {
  stateDir: string;
  bus: EventBus;
  config: () => Config;
  clock: Clock;
}): Promise<Steering> {
  let bound: { pipeline: SteeredPipeline; journal: Pick<Journal, 'list'> } | undefined;
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
