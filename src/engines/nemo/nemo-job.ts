import type { Clock } from '../../core/clock.js';
import { ApiError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { EngineHooks, EngineRequest } from '../engine.js';
import type { RemoteIds } from '../../domain/work.js';
import type { StageLimiter } from '../stage-limits.js';
import type { NemoClient } from './client.js';
import type { RenderInfo } from './envelope.js';

/** What every step of a cloud job uses, fixed for the engine's life. */
export interface NemoJobDeps {
  client: NemoClient;
  clock: Clock;
  random: () => number;
  stages: StageLimiter;
  /** Sends of one instruction whose stream broke off before giving up. */
  maxSends: number;
}

export type FinishedRender = RenderInfo & { outputUrl: string };

/**
 * One attempt at a cloud job, inside one NemoVideo session: the request, the remote ids it has
 * checkpointed so far, and the agent's texts. The steps (upload, instruct, render, download) read
 * and save its ids; a lost session starts a new attempt with cleared ids.
 */
export class NemoJob {
  readonly call: { skill: string; signal: AbortSignal };
  readonly texts: string[] = [];

  constructor(
    readonly deps: NemoJobDeps,
    readonly request: EngineRequest,
    readonly hooks: EngineHooks,
    readonly ids: RemoteIds,
    /** Picked up from an earlier run's checkpoints (so a step may have happened already). */
    readonly resumed: boolean,
    readonly log: Logger,
  ) {
    this.call = { skill: request.skill, signal: hooks.signal };
  }

  get sessionId(): string {
    return this.ids.sessionId as string;
  }

  /** Records remote ids durably before the step they belong to is trusted. */
  async save(patch: Partial<RemoteIds>): Promise<void> {
    Object.assign(this.ids, patch);
    await this.hooks.checkpoint({ ...this.ids });
  }
}

export function draftNotExportable(): ApiError {
  return new ApiError('DRAFT_NOT_EXPORTABLE', 'The NemoVideo agent finished without an exportable video', {
    hint: "The instruction changed nothing that can be exported; rephrase the rule's instruction, or retry the job.",
  });
}

/** A progress callback that reports whole percents, each once. */
export function percentReporter(report: (percent: number) => void): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
    if (percent === last) return;
    last = percent;
    report(percent);
  };
}
