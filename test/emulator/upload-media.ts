import { probeMedia } from '../../src/engines/local/probe.js';
import type { EmulatorContext } from './context.js';
import type { FileType } from './file-types.js';
import type { MediaFile } from './store.js';

export interface Received {
  id: string;
  filename: string;
  fileType: FileType;
  path?: string;
  size: number;
  /** Where the bytes came from when they could not be fetched. */
  sourceUrl?: string;
}

/** Describes a received file with what ffprobe can tell; unreadable bytes give null facts. */
export async function describeUpload(ctx: EmulatorContext, file: Received): Promise<MediaFile> {
  const info = file.path ? await probeMedia(file.path, ctx.ffprobe).catch(() => undefined) : undefined;
  const hasPicture = Boolean(info?.video);
  return {
    id: file.id,
    filename: file.filename,
    fileType: file.fileType,
    path: file.path,
    size: file.size,
    cdnUrl: file.path
      ? `${ctx.url}/cdn/uploads/${file.id}/${encodeURIComponent(file.filename)}`
      : (file.sourceUrl ?? ''),
    duration: info?.durationSec ?? null,
    width: hasPicture ? (info?.video?.width ?? null) : null,
    height: hasPicture ? (info?.video?.height ?? null) : null,
    hasAudio: Boolean(info?.audio),
  };
}
