/**
 * The port every engine (NemoVideo cloud, local ffmpeg) implements. The pipeline owns the journal,
 * the outbox and the source file; an engine only turns `input` into an MP4 at `destination`.
 */
export type JobStage =
  | 'queued'
  | 'probing'
  | 'uploading'
  | 'instructing'
  | 'rendering'
  | 'downloading'
  | 'converting'
  | 'placing'
  | 'done'
  | 'failed'
  | 'held';

export interface Progress {
  stage: JobStage;
  /** 0–100 within the stage, when known. */
  percent?: number;
  /** A short line a person can read ("Still working…", "Rendering 40%"). Never raw JSON. */
  message?: string;
}

/**
 * Remote ids of a cloud job, recorded in the journal through `checkpoint` *before* the step that
 * relies on them is trusted, so a restart resumes (polls the same render) instead of paying twice.
 */
export interface RemoteIds {
  sessionId?: string;
  taskId?: string;
  /** CDN URLs of the uploaded input, once the upload answered. */
  uploaded?: { cdnUrl: string; filename: string }[];
  /** Index of the instruction being sent; set before sending. */
  instructionStarted?: number;
  /** Fingerprint of the draft just before instruction `instructionStarted` was sent. */
  draftBefore?: string;
  /** How many instructions completed (their streams closed and the draft checked). */
  instructionsDone?: number;
  /** Client-chosen render id, checkpointed before the render is requested. */
  renderId?: string;
  /** The render was accepted by the server. */
  renderAccepted?: boolean;
  /** Where the finished render can be downloaded. */
  outputUrl?: string;
}

export type Quality = 'high' | 'medium' | 'low';

export interface LocalOptions {
  /** Target height in pixels; default 1080. */
  height?: number;
  /** Allow making a smaller video larger. */
  upscale?: boolean;
  crf?: number;
  preset?: string;
  /** Force a transcode even when a remux would do. */
  forceTranscode?: boolean;
  /**
   * Keep HEVC video (copied into the MP4, tagged hvc1) instead of converting it to H.264. Smaller and
   * lossless, but fewer devices and sites play it: the MP4 contract asks for H.264 unless this is set.
   */
  keepHevc?: boolean;
}

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
}

export interface Engine {
  readonly name: 'nemo' | 'local';
  run(request: EngineRequest, hooks: EngineHooks): Promise<EngineResult>;
}

/** What ffprobe says about a file; rule conditions and instruction templates read it. */
export interface MediaInfo {
  formatName: string;
  durationSec?: number;
  sizeBytes: number;
  video?: {
    codec: string;
    width: number;
    height: number;
    pixFmt?: string;
    codecTag?: string;
    rotation?: number;
    /** As ffprobe names it: "High", "Main", "Constrained Baseline", "High 10", "Main 10"… */
    profile?: string;
    /** Sample (pixel) aspect ratio as width/height of one pixel; 1 or undefined for square pixels. */
    sampleAspect?: number;
    /** Colour tags as ffprobe names them (bt709, bt2020, smpte2084, arib-std-b67, tv, pc…). */
    colorPrimaries?: string;
    colorTransfer?: string;
    colorSpace?: string;
    colorRange?: string;
    /** progressive, tt, bb, tb, bt (interlaced) or unknown. */
    fieldOrder?: string;
  };
  audio?: { codec: string; channels?: number };
}
