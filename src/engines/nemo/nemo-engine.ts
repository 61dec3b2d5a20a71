import { ApiError } from '../../core/errors.js';
import type { Engine, EngineHooks, EngineRequest, EngineResult } from '../engine.js';
import type { RemoteIds } from '../../domain/work.js';
import { NemoClient } from './client.js';
import { draftFingerprint, isExportable } from './draft.js';
import type { RenderInfo } from './envelope.js';
import type { NemoClientOptions } from './options.js';
import { newRenderId } from './poll-policy.js';
import { backoffMs } from './retry-policy.js';
import { unlimited, type StageLimiter } from '../stage-limits.js';

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

const RESENDABLE = new Set(['NETWORK', 'SSE_TIMEOUT', 'SERVER_ERROR', 'RATE_LIMITED']);

function draftNotExportable(): ApiError {
  return new ApiError('DRAFT_NOT_EXPORTABLE', 'The NemoVideo agent finished without an exportable video', {
    hint: "The instruction changed nothing that can be exported; rephrase the rule's instruction, or retry the job.",
  });
}

/**
 * The cloud engine: upload → instructions over SSE → export render → download, following the error
 * table's recoveries, checkpointing every remote id before trusting the step it belongs to, and
 * resuming from `request.resume` without a second render or a second charge.
 */
export function createNemoEngine(options: NemoEngineOptions): NemoEngine {
  const client = options.client ?? new NemoClient(options);
  const { clock } = options;
  const random = options.random ?? Math.random;
  const maxRestarts = options.maxSessionRestarts ?? 2;
  const maxSends = options.maxInstructionAttempts ?? 3;
  const stages = options.stages ?? unlimited;

  async function run(request: EngineRequest, hooks: EngineHooks): Promise<EngineResult> {
    const log = options.log.child({ jobId: request.jobId });
    const ids: RemoteIds = { ...request.resume };
    let resumed = Object.keys(ids).length > 0;
    for (let restart = 0; ; restart++) {
      try {
        return await new JobRun(request, hooks, ids, resumed, log).run();
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

  class JobRun {
    private readonly call: { skill: string; signal: AbortSignal };
    private readonly texts: string[] = [];

    constructor(
      private readonly request: EngineRequest,
      private readonly hooks: EngineHooks,
      private readonly ids: RemoteIds,
      private readonly resumed: boolean,
      private readonly log: typeof options.log,
    ) {
      this.call = { skill: request.skill, signal: hooks.signal };
    }

    private async save(patch: Partial<RemoteIds>): Promise<void> {
      Object.assign(this.ids, patch);
      await this.hooks.checkpoint({ ...this.ids });
    }

    async run(): Promise<EngineResult> {
      if (!this.ids.sessionId) {
        this.hooks.progress({ stage: 'uploading', percent: 0, message: 'Starting a NemoVideo session' });
        const session = await client.createSession(this.request.language, this.call);
        await this.save({ sessionId: session.sessionId, taskId: session.taskId });
        this.log.info({ sessionId: session.sessionId }, 'NemoVideo session started');
      }
      if (!this.ids.uploaded?.length) await this.upload();
      for (let i = this.ids.instructionsDone ?? 0; i < this.request.instructions.length; i++) {
        await this.instruct(i);
      }
      let durationSec: number | undefined;
      if (!this.ids.outputUrl) {
        const info = await this.render();
        durationSec = info.durationSec;
        await this.save({ outputUrl: info.outputUrl });
      }
      try {
        await this.download();
      } catch (err) {
        // A saved download URL may have expired (signed CDN links): ask the render for a fresh one, once.
        if (!(err instanceof ApiError) || err.code !== 'API_ERROR' || !this.ids.renderId) throw err;
        this.log.warn(
          { code: err.code, status: err.status },
          'Download refused; asking the render for a new URL',
        );
        const info = await this.wait(this.ids.renderId);
        if (info === 'unknown' || info.outputUrl === this.ids.outputUrl) throw err;
        await this.save({ outputUrl: info.outputUrl });
        await this.download();
      }
      return {
        path: this.request.destination,
        durationSec,
        summary: this.texts.length ? this.texts.join(' ') : undefined,
      };
    }

    private get sessionId(): string {
      return this.ids.sessionId as string;
    }

    private async upload(): Promise<void> {
      let lastPercent = -1;
      const files = await stages.run(
        'upload',
        () =>
          client.uploadFile(this.sessionId, this.request.input, {
            ...this.call,
            onProgress: (sent, total) => {
              const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
              if (percent === lastPercent) return;
              lastPercent = percent;
              this.hooks.progress({ stage: 'uploading', percent, message: `Uploading ${percent}%` });
            },
          }),
        this.call.signal,
      );
      await this.save({ uploaded: files.map((f) => ({ cdnUrl: f.cdnUrl, filename: f.filename })) });
      this.log.info({ sessionId: this.sessionId, files: files.length }, 'Uploaded to NemoVideo');
    }

    private async instruct(i: number): Promise<void> {
      const text = this.request.instructions[i] as string;
      const say = (message: string) => this.hooks.progress({ stage: 'instructing', message });
      // Restarted between sending and finishing: the server may have done it already.
      if (this.resumed && this.ids.instructionStarted === i) {
        const state = await client.state(this.sessionId, this.call);
        // With the draft's fingerprint from before the send, a later instruction on an already
        // exportable draft is only skipped when it really changed something.
        const applied =
          this.ids.draftBefore === undefined
            ? isExportable(state.draft)
            : isExportable(state.draft) && draftFingerprint(state.draft) !== this.ids.draftBefore;
        if (applied) {
          this.log.info({ instruction: i }, 'Instruction already applied before the restart; not resending');
          await this.save({ instructionsDone: i + 1 });
          return;
        }
      }
      const before = draftFingerprint((await client.state(this.sessionId, this.call)).draft);
      await this.save({ instructionStarted: i, draftBefore: before });
      say(`Sending instruction ${i + 1} of ${this.request.instructions.length}`);
      let sawText = false;
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await stages.run(
            'sse',
            () => client.instruct(this.sessionId, text, { ...this.call, onMessage: say }),
            this.call.signal,
          );
          this.texts.push(...outcome.texts);
          sawText = outcome.sawText;
          break;
        } catch (err) {
          if (!(err instanceof ApiError) || !RESENDABLE.has(err.code) || attempt >= maxSends) throw err;
          // The stream broke off; if the draft moved, the agent got the message and need not be paid twice.
          const state = await client.state(this.sessionId, this.call);
          if (isExportable(state.draft) && draftFingerprint(state.draft) !== before) {
            this.log.warn(
              { code: err.code, instruction: i },
              'Instruction stream broke off after the draft changed; not resending',
            );
            sawText = true;
            break;
          }
          const delayMs = backoffMs(attempt, client.settings.retry, random);
          this.log.warn(
            { code: err.code, instruction: i, attempt, delayMs },
            'Instruction stream broke off; resending',
          );
          await clock.sleep(delayMs, this.hooks.signal);
        }
      }
      if (!sawText) {
        // About 30% of streams end without a word: the state tells whether anything happened.
        const state = await client.state(this.sessionId, this.call);
        if (!isExportable(state.draft)) throw draftNotExportable();
      }
      await this.save({ instructionsDone: i + 1 });
      this.log.info({ sessionId: this.sessionId, instruction: i, sawText }, 'Instruction done');
    }

    private async render(): Promise<RenderInfo & { outputUrl: string }> {
      this.hooks.progress({ stage: 'rendering', percent: 0, message: 'Rendering' });
      const existing = this.ids.renderId;
      if (existing) {
        // Our id: poll it. Posting again would start (and maybe bill) a second render.
        try {
          const info = await this.wait(existing);
          if (info !== 'unknown') return info;
          this.log.info(
            { renderId: existing },
            'NemoVideo does not know the render; requesting it under the same id',
          );
          return await this.post(existing, true);
        } catch (err) {
          if (!(err instanceof ApiError) || err.code !== 'RENDER_FAILED' || !this.resumed) throw err;
          this.log.warn({ renderId: existing }, 'The earlier render failed; requesting a new one');
        }
      }
      return this.post(newRenderId(clock.now(), random), true);
    }

    private async post(renderId: string, mayRetryId: boolean): Promise<RenderInfo & { outputUrl: string }> {
      const state = await client.state(this.sessionId, this.call);
      if (!state.draft || !isExportable(state.draft)) throw draftNotExportable();
      await this.save({ renderId, renderAccepted: false });
      const started = await client.startRender(
        { renderId, sessionId: this.sessionId, draft: state.draft, quality: this.request.quality },
        this.call,
      );
      if (started === 'duplicate') {
        // Most likely our own request, accepted just before the connection broke: follow it.
        const info = await this.wait(renderId);
        if (info !== 'unknown') return info;
        if (!mayRetryId)
          throw new ApiError('PROTOCOL', 'NemoVideo refused the render id and does not know it', {
            retryable: true,
          });
        this.log.warn({ renderId }, 'Render id refused as a duplicate; choosing a new one');
        return this.post(newRenderId(clock.now(), random), false);
      }
      await this.save({ renderAccepted: true });
      this.log.info({ sessionId: this.sessionId, renderId }, 'Render started');
      const info = await this.wait(renderId);
      if (info === 'unknown')
        throw new ApiError('PROTOCOL', 'NemoVideo lost a render it had accepted', { retryable: true });
      return info;
    }

    private async wait(renderId: string): Promise<(RenderInfo & { outputUrl: string }) | 'unknown'> {
      const info = await stages.run(
        'poll',
        () =>
          client.waitForRender(renderId, {
            ...this.call,
            onProgress: (percent) =>
              this.hooks.progress({
                stage: 'rendering',
                percent,
                message: percent === undefined ? 'Rendering' : `Rendering ${Math.round(percent)}%`,
              }),
          }),
        this.call.signal,
      );
      return info as (RenderInfo & { outputUrl: string }) | 'unknown';
    }

    private async download(): Promise<void> {
      this.hooks.progress({ stage: 'downloading', percent: 0, message: 'Downloading' });
      let lastPercent = -1;
      const bytes = await stages.run(
        'download',
        () =>
          client.download(this.ids.outputUrl as string, this.request.destination, {
            ...this.call,
            onProgress: (received, total) => {
              if (!total) return;
              const percent = Math.floor((received / total) * 100);
              if (percent === lastPercent) return;
              lastPercent = percent;
              this.hooks.progress({ stage: 'downloading', percent, message: `Downloading ${percent}%` });
            },
          }),
        this.call.signal,
      );
      this.log.info({ bytes, renderId: this.ids.renderId }, 'Downloaded the render');
    }
  }

  return { name: 'nemo', client, run };
}
