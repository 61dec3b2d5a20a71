import type { WorkingState } from './job.js';

/** What a running job reports: the state it is in, how far within it, and a line a person can read. */
export interface Progress {
  stage: WorkingState;
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
}
