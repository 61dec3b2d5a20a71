import PQueue from 'p-queue';

export type Stage = 'upload' | 'sse' | 'poll' | 'download';

/**
 * Per-stage limits inside the cloud engine (config `limits`): the job limit says how many jobs are in
 * flight, these say how many of them may upload, hold an instruction stream, or poll a render at once,
 * so a burst of files never opens more connections than the settings allow.
 */
export interface StageLimiter {
  run<T>(stage: Stage, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** In flight and waiting, per stage (for status and tests). */
  stats(): Record<Stage, { running: number; waiting: number }>;
  setLimits(limits: Partial<Record<Stage, number>>): void;
}

export const unlimited: StageLimiter = {
  run: (_stage, fn) => fn(),
  stats: () => ({
    upload: { running: 0, waiting: 0 },
    sse: { running: 0, waiting: 0 },
    poll: { running: 0, waiting: 0 },
    download: { running: 0, waiting: 0 },
  }),
  setLimits: () => undefined,
};

export function createStageLimiter(limits: Partial<Record<Stage, number>>): StageLimiter {
  const stages: Stage[] = ['upload', 'sse', 'poll', 'download'];
  const queues = Object.fromEntries(
    stages.map((s) => [s, new PQueue({ concurrency: Math.max(1, limits[s] ?? Number.POSITIVE_INFINITY) })]),
  ) as Record<Stage, PQueue>;
  return {
    run: (stage, fn, signal) => queues[stage].add(fn, { signal }) as Promise<Awaited<ReturnType<typeof fn>>>,
    stats: () =>
      Object.fromEntries(
        stages.map((s) => [s, { running: queues[s].pending, waiting: queues[s].size }]),
      ) as ReturnType<StageLimiter['stats']>,
    setLimits(next) {
      for (const s of stages) if (next[s] !== undefined) queues[s].concurrency = Math.max(1, next[s]);
    },
  };
}
