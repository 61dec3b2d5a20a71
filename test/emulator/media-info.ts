import type { MediaFile } from './store.js';

/** How an upload is described to clients, in the upload answer and in the state's video_infos. */
export function mediaInfo(media: MediaFile): Record<string, unknown> {
  return {
    id: media.id,
    filename: media.filename,
    file_type: media.fileType,
    cdn_url: media.cdnUrl,
    size: media.size,
    duration: media.duration,
    width: media.width,
    height: media.height,
  };
}
