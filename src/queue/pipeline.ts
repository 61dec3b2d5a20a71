import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { JobRecord } from '../domain/job.js';
import type { JobPlan } from '../domain/job.js';
import { noopMetrics, type Metrics } from '../metrics/metrics.js';
import type { RunResult } from '../run/run-job.js';
import { isNewStart, recordResult } from './job-metrics.js';

export interface PipelineLimits {
  /** Cloud jobs in flight across all folders. */
  concurrency: number;
  /** Local ffmpeg jobs in flight (CPU bound, so its own limit). */
  local: number;
}

export interface PipelineDeps {
  run(job: JobRecord, plan: JobPlan, signal: AbortSignal): Promise<RunResult>;
  /** Re-reads a job before it starts, since a queued job may have been changed by `retry` or a restart. */
  load(id: string): JobRecord | undefined;
  planOf(job: JobRecord): JobPlan;
  clock: Clock;
  log: Logger;
  onResult?(job: JobRecord, result: RunResult): void;
  /** Pause and schedule gate: a job that may not start now waits until `release()`. */
  canStart?(job: JobRecord): boolean;
  /** Jobs started and finished, retries, error codes, queue depth (a no-op when not given). */
  metrics?: Metrics;
}

/**
 * Two bounded queues (cloud, local). Queued jobs are only ids in closures until they run, so ten
 * thousand waiting files hold no handles and no requests. Cloud intake pauses while credits are out.
 */
export class Pipeline {
  private readonly remote: PQueue;
  private readonly local: PQueue;
  private readonly controllers = new Map<string, AbortController>();
  private readonly queued = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly parked = new Set<string>();
  private stopping = false;
  private readonly metrics: Metrics;

  constructor(
    limits: PipelineLimits,
    private readonly deps: PipelineDeps,
  ) {
    this.remote = new PQueue({ concurrency: Math.max(1, limits.concurrency) });
    this.local = new PQueue({ concurrency: Math.max(1, limits.local) });
    this.metrics = deps.metrics ?? noopMetrics;
  }

  setLimits(limits: PipelineLimits): void {
    this.remote.concurrency = Math.max(1, limits.concurrency);
    this.local.concurrency = Math.max(1, limits.local);
  }

  /** Queues a job once; a job already queued or running is not queued again. */
  submit(job: JobRecord): boolean {
    if (this.stopping || this.queued.has(job.id) || this.controllers.has(job.id) || this.parked.has(job.id))
      return false;
    this.queued.add(job.id);
    const plan = this.deps.planOf(job);
    const queue = plan.engine === 'local' ? this.local : this.remote;
    void queue
      .add(() => this.execute(job.id))
      .catch((err: unknown) => {
        this.deps.log.error({ job: job.id, err: (err as Error).message }, 'Job runner crashed');
      });
    return true;
  }

  private async execute(id: string): Promise<void> {
    this.queued.delete(id);
    if (this.stopping) return;
    const job = this.deps.load(id);
    if (!job || job.state === 'done' || job.state === 'failed' || job.state === 'held') return;
    if (this.deps.canStart && !this.deps.canStart(job)) {
      this.parked.add(id);
      return;
    }
    const controller = new AbortController();
    // Every request, stream, poll and ffmpeg run of the job listens on this one signal.
    setMaxListeners(100, controller.signal);
    this.controllers.set(id, controller);
    if (isNewStart(job)) this.metrics.jobStarted(job.folder, job.engine);
    this.metrics.queueDepth(this.stats());
    try {
      const result = await this.deps.run(job, this.deps.planOf(job), controller.signal);
      recordResult(this.metrics, job, result, this.deps.clock.now());
      this.deps.onResult?.(job, result);
      if (result.kind === 'retry' && !this.stopping) this.later(id, result.delayMs);
    } finally {
      this.controllers.delete(id);
      this.metrics.queueDepth(this.stats());
    }
  }

  private later(id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const job = this.deps.load(id);
      if (job) this.submit(job);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Offers the jobs the gate held back again (after a resume, or when a schedule window opens). */
  release(): void {
    const ids = [...this.parked];
    this.parked.clear();
    for (const id of ids) {
      const job = this.deps.load(id);
      if (job) this.submit(job);
    }
  }

  /** Stops one running job at its checkpoint (its journal state stays as it was). */
  abort(id: string): boolean {
    const c = this.controllers.get(id);
    c?.abort();
    return c !== undefined;
  }

  isRunning(id: string): boolean {
    return this.controllers.has(id);
  }

  /** Stops every running job at its checkpoint; they run again when submitted (see `release`). */
  abortRunning(): string[] {
    const ids = [...this.controllers.keys()];
    for (const c of this.controllers.values()) c.abort();
    return ids;
  }

  /** Cloud jobs wait (e.g. out of credits) without failing; local jobs go on. */
  pauseRemote(): void {
    this.remote.pause();
  }

  resumeRemote(): void {
    this.remote.start();
  }

  get remotePaused(): boolean {
    return this.remote.isPaused;
  }

  stats(): { running: number; waiting: number } {
    return {
      running: this.controllers.size,
      waiting: this.remote.size + this.local.size + this.parked.size,
    };
  }

  /** Idle means nothing queued, nothing running and no retry waiting. */
  async onIdle(): Promise<void> {
    await Promise.all([this.remote.onIdle(), this.local.onIdle()]);
  }

  /**
   * Stops intake and aborts running jobs; each engine checkpoints what it has, so the next start
   * resumes them. Resolves when every running job has returned or `graceMs` has passed.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.remote.clear();
    this.local.clear();
    this.queued.clear();
    for (const c of this.controllers.values()) c.abort();
    const drained = Promise.all([this.remote.onIdle(), this.local.onIdle()]);
    // The grace timer is cancelled once drained, or it alone would keep the process alive.
    const grace = new AbortController();
    await Promise.race([drained, this.deps.clock.sleep(graceMs, grace.signal).catch(() => undefined)]);
    grace.abort();
  }
}
