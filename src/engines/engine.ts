import type { LocalOptions, Progress, Quality, RemoteIds } from '../domain/work.js';
import type { MediaInfo } from '../domain/media.js';

/**
 * The port every engine (NemoVideo cloud, local ffmpeg) implements. The pipeline owns the journal,
 * the outbox and the source file; an engine only turns `input` into an MP4 at `destination`.
 */
export interface EngineRequest {
  jobId: string;
  /** Absolute path of the source; engines read it and never change it. */
  input: string;
  instructions: string[];
  /** X-Skill-Source for the cloud engine. */
  skill: string;
  language: string;
  quality: Quality;
  /** Absolute path the engine writes the finished MP4 to (a temp name the pipeline then places). */
  destination: string;
  /** What the journal recorded for this job before a restart. */
  resume?: RemoteIds;
  local?: LocalOptions;
  /**
   * What ffprobe said of `input` moments ago, for this very file (the caller checked its identity):
   * the local engine then plans from it instead of probing the file a second time.
   */
  sourceMedia?: MediaInfo;
}

export interface EngineHooks {
  signal: AbortSignal;
  progress(p: Progress): void;
  /** Persists remote ids; the engine awaits it before trusting the step they belong to. */
  checkpoint(ids: RemoteIds): Promise<void>;
}

export interface EngineResult {
  /** Equal to request.destination. */
  path: string;
  /** Seconds, when the engine knows it (used to verify the output). */
  durationSec?: number;
  /** What the engine did, for the job log ("remuxed", "transcoded", agent text). */
  summary?: string;
  /**
   * The streams the output holds, when the engine knows them without reading it back: a remux copies
   * the probed source's (the sound converted to AAC when it had to be). The output's verification
   * then checks the file's own index against them instead of running ffprobe again.
   */
  streams?: MediaInfo;
}

export interface Engine {
  readonly name: 'nemo' | 'local';
  run(request: EngineRequest, hooks: EngineHooks): Promise<EngineResult>;
  /**
   * Starts, in the background, what the first run needs to ask once (the local engine: what the
   * ffmpeg binary understands), so it overlaps the caller's own work. Never throws.
   */
  prepare?(): void;
  /**
   * Where a run writes before `destination` holds its result: what a run killed midway leaves behind,
   * removed by the job path when the job runs again.
   */
  scratchOf?(destination: string): string;
}
