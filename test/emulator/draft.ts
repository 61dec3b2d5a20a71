import type { MediaFile } from './store.js';

/** The draft as the service abbreviates it: t tracks, tt track type, sg segments, d ms, m metadata. */
export interface Segment {
  id: string;
  /** The uploaded media this segment plays (video and audio tracks). */
  mid?: string;
  url?: string;
  text?: string;
  /** Start and end on the timeline, ms. */
  s: number;
  e: number;
}

export const TRACK_VIDEO = 0;
export const TRACK_AUDIO = 1;
export const TRACK_TEXT = 7;

export interface Track {
  id: string;
  tt: typeof TRACK_VIDEO | typeof TRACK_AUDIO | typeof TRACK_TEXT;
  sg: Segment[];
}

export interface Draft {
  t: Track[];
  d: number;
  m: Record<string, unknown>;
}

export function emptyDraft(): Draft {
  return { t: [{ id: 'track_v0', tt: TRACK_VIDEO, sg: [] }], d: 0, m: { name: 'project', version: 0 } };
}

/** Exportable means some track has a non-empty `sg`, the same test the client is told to apply. */
export function isExportable(draft: unknown): boolean {
  if (!draft || typeof draft !== 'object') return false;
  const tracks = (draft as { t?: unknown }).t;
  return (
    Array.isArray(tracks) &&
    tracks.some(
      (t) => Array.isArray((t as { sg?: unknown } | null)?.sg) && (t as { sg: unknown[] }).sg.length > 0,
    )
  );
}

/** The media an instruction is about: one named in its text, else the latest upload. */
export function mediaForInstruction(media: readonly MediaFile[], instruction: string): MediaFile | undefined {
  const text = instruction.toLowerCase();
  const named = media.find((m) => text.includes(m.filename.toLowerCase()));
  return named ?? media.filter((m) => m.fileType === 'video').at(-1) ?? media.at(-1);
}

/** The draft after an instruction that changed it: the media on a video track, its sound, maybe a title. */
export function editedDraft(previous: Draft, media: MediaFile, instruction: string): Draft {
  const version = Number(previous.m.version ?? 0) + 1;
  const d = Math.round((media.duration ?? 0) * 1000);
  const tracks: Track[] = [
    {
      id: 'track_v0',
      tt: TRACK_VIDEO,
      sg: [{ id: `seg_v${version}`, mid: media.id, url: media.cdnUrl, s: 0, e: d }],
    },
  ];
  if (media.hasAudio)
    tracks.push({
      id: 'track_a0',
      tt: TRACK_AUDIO,
      sg: [{ id: `seg_a${version}`, mid: media.id, url: media.cdnUrl, s: 0, e: d }],
    });
  if (/\b(title|text|caption|subtitle)s?\b/i.test(instruction))
    tracks.push({
      id: 'track_t0',
      tt: TRACK_TEXT,
      sg: [{ id: `seg_t${version}`, text: media.filename, s: 0, e: Math.min(d, 3000) }],
    });
  return { t: tracks, d, m: { ...previous.m, version, instruction, source: media.filename } };
}

/** The media a draft's first video segment plays, looked up among the session's uploads. */
export function draftMediaId(draft: unknown): string | undefined {
  if (!draft || typeof draft !== 'object') return undefined;
  const tracks = (draft as { t?: unknown }).t;
  if (!Array.isArray(tracks)) return undefined;
  for (const track of tracks as Partial<Track>[]) {
    if (track?.tt !== TRACK_VIDEO || !Array.isArray(track.sg)) continue;
    const mid = track.sg.find((s) => typeof s?.mid === 'string')?.mid;
    if (mid) return mid;
  }
  return undefined;
}

export function canvasFor(media: MediaFile | undefined): Record<string, unknown> {
  const width = media?.width ?? 1920;
  const height = media?.height ?? 1080;
  return { width, height, ratio: width >= height ? '16:9' : '9:16', fps: 30, background: '#000000' };
}
