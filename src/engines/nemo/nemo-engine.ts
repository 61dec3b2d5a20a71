import { ApiError } from '../../core/errors.js';
import type { Engine, EngineHooks, EngineRequest, EngineResult } from '../engine.js';
import type { RemoteIds } from '../../domain/work.js';
import { unlimited, type StageLimiter } from '../stage-limits.js';
import { downloadScratchOf } from './download.js';
import { NemoClient } from './client.js';
import { runSteps } from './job-steps.js';
import { NemoJob, type NemoJobDeps } from './nemo-job.js';
import type { NemoClientOptions } from './options.js';

export interface NemoEngineOptions extends NemoClientOptions {
  /** Share one client (and so one token) between engines; default a new one from these options. */
  client?: NemoClient;
  /** New sessions started after 1002 within one run; default 2. */
  maxSessionRestarts?: number;
  /** Sends of one instruction whose stream broke off (reset, silence) before giving up; default 3. */
  maxInstructionAttempts?: number;
  /** Bounds on uploads, streams, polls and downloads shared by every job (config `limits`). */
  stages?: StageLimiter;
}

export interface NemoEngine extends Engine {
  readonly client: NemoClient;
}

/**
 * The cloud engine: upload → instructions over SSE → export render → download, following the error
 * table's recoveries, checkpointing every remote id before trusting the step it belongs to, and
 * resuming from `request.resume` without a second render or a second charge.
 */
export function createNemoEngine(options: NemoEngineOptions): NemoEngine {
  const client = options.client ?? new NemoClient(options);
  const maxRestarts = options.maxSessionRestarts ?? 2;
  const deps: NemoJobDeps = {
    client,
    clock: options.clock,
    random: options.random ?? Math.random,
    stages: options.stages ?? unlimited,
    maxSends: options.maxInstructionAttempts ?? 3,
  };

  async function run(request: EngineRequest, hooks: EngineHooks): Promise<EngineResult> {
    const log = options.log.child({ jobId: request.jobId });
    const ids: RemoteIds = { ...request.resume };
    let resumed = Object.keys(ids).length > 0;
    for (let restart = 0; ; restart++) {
      try {
        return await runSteps(new NemoJob(deps, request, hooks, ids, resumed, log));
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 'SESSION_NOT_FOUND' || restart >= maxRestarts)
          throw err;
        log.warn(
          { code: err.code, restart: restart + 1 },
          'NemoVideo session lost; starting over in a new one',
        );
        for (const key of Object.keys(ids) as (keyof RemoteIds)[]) ids[key] = undefined;
        await hooks.checkpoint({ ...ids });
        resumed = false;
      }
    }
  }

  return { name: 'nemo', client, run, scratchOf: downloadScratchOf };
}
