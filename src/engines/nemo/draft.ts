import { isObject, type Json } from './envelope.js';

/** The session's timeline as `GET /api/state/…/latest` reports it. */
export interface SessionState {
  draft: Json | undefined;
  videoInfos: unknown[];
  generatedMedia: unknown[];
  canvasConfig: unknown;
}

export function parseState(data: unknown): SessionState | undefined {
  if (!isObject(data)) return undefined;
  const state = isObject(data.state) ? data.state : data;
  if (!('draft' in state) && !('video_infos' in state)) return undefined;
  return {
    draft: isObject(state.draft) ? state.draft : undefined,
    videoInfos: Array.isArray(state.video_infos) ? state.video_infos : [],
    generatedMedia: Array.isArray(state.generated_media) ? state.generated_media : [],
    canvasConfig: state.canvas_config,
  };
}

/** A draft can be rendered when some track (`t`) has at least one segment (`sg`). */
export function isExportable(draft: Json | undefined): boolean {
  if (!draft || !Array.isArray(draft.t)) return false;
  return draft.t.some((track) => isObject(track) && Array.isArray(track.sg) && track.sg.length > 0);
}

/** Draft duration in seconds (`d` is milliseconds), when known. */
export function draftDurationSec(draft: Json | undefined): number | undefined {
  const d = draft?.d;
  return typeof d === 'number' && d > 0 ? d / 1000 : undefined;
}

/** A stable fingerprint, to tell whether an instruction changed the draft. */
export function draftFingerprint(draft: Json | undefined): string {
  return JSON.stringify(draft ?? null);
}
