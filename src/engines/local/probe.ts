import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { FfmpegError } from '../../core/errors.js';
import type { MediaInfo } from '../../domain/media.js';

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    codec_tag_string?: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
    channels?: number;
    tags?: { rotate?: string };
    disposition?: { attached_pic?: number };
    side_data_list?: { rotation?: number }[];
  }[];
}

/** ffprobe as structured facts. Arguments go as an array, never through a shell. */
export async function probeMedia(
  path: string,
  ffprobe = 'ffprobe',
  signal?: AbortSignal,
): Promise<MediaInfo> {
  const [{ size }, json] = await Promise.all([stat(path), runFfprobe(path, ffprobe, signal)]);
  return parseProbe(json, size);
}

export function parseProbe(json: FfprobeJson, sizeBytes: number): MediaInfo {
  // Cover art is a video stream too (attached_pic); the first real one is what plays.
  const v = json.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const a = json.streams?.find((s) => s.codec_type === 'audio');
  const duration = Number(json.format?.duration);
  const rotation =
    v?.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ??
    (v?.tags?.rotate ? Number(v.tags.rotate) : undefined);
  return {
    formatName: json.format?.format_name ?? 'unknown',
    durationSec: Number.isFinite(duration) ? duration : undefined,
    sizeBytes,
    video:
      v && v.codec_name
        ? {
            codec: v.codec_name,
            width: v.width ?? 0,
            height: v.height ?? 0,
            pixFmt: v.pix_fmt,
            codecTag: v.codec_tag_string,
            rotation,
          }
        : undefined,
    audio: a && a.codec_name ? { codec: a.codec_name, channels: a.channels } : undefined,
  };
}

function runFfprobe(path: string, ffprobe: string, signal?: AbortSignal): Promise<FfprobeJson> {
  // `-i` before the path so a file named like an option ("-x.avi") is still read as a file.
  const args = ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', '-i', path];
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { maxBuffer: 16 * 1024 * 1024, signal }, (err, stdout, stderr) => {
      if (err) {
        const tail = String(stderr).trim().split('\n').slice(-5).join('\n');
        reject(
          new FfmpegError('PROBE_FAILED', `ffprobe could not read the file: ${tail || err.message}`, {
            cause: err,
            exitCode: typeof err.code === 'number' ? err.code : null,
            stderrTail: tail,
            hint: 'The file may be damaged or not a video. Try opening it in a player; if it plays, report it with the file type.',
          }),
        );
        return;
      }
      try {
        resolve(JSON.parse(stdout) as FfprobeJson);
      } catch (parseErr) {
        reject(
          new FfmpegError('PROBE_FAILED', 'ffprobe printed something that is not JSON', { cause: parseErr }),
        );
      }
    });
  });
}
