import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../../../src/domain/media.js';
import {
  buildCloudIntakeArgs,
  cloudIntakeName,
  planCloudIntake,
  type CloudIntakePlan,
} from '../../../../src/engines/local/cloud-intake.js';

function media(formatName: string, video: string | undefined, audio?: string): MediaInfo {
  return {
    formatName,
    sizeBytes: 1000,
    video: video ? { codec: video, width: 720, height: 480 } : undefined,
    audio: audio ? { codec: audio } : undefined,
  };
}

describe('planCloudIntake: into a container the API takes', () => {
  it.each<[string, string, MediaInfo, Partial<CloudIntakePlan>]>([
    ['MP4', 'mp4', media('mov,mp4,m4a,3gp,3g2,mj2', 'hevc', 'aac'), { kind: 'as-is' }],
    ['MKV (upper case)', 'MKV', media('matroska,webm', 'vp9', 'opus'), { kind: 'as-is' }],
    [
      'AVCHD .mts: H.264 + AC-3',
      'mts',
      media('mpegts', 'h264', 'ac3'),
      { kind: 'remux', container: 'mp4', regenerateTimestamps: true },
    ],
    ['.m2ts H.264 + DTS', 'm2ts', media('mpegts', 'h264', 'dts'), { kind: 'remux', container: 'mkv' }],
    [
      'iTunes .m4v',
      'm4v',
      media('mov,mp4,m4a,3gp,3g2,mj2', 'h264', 'aac'),
      { kind: 'remux', container: 'mp4', regenerateTimestamps: false },
    ],
    [
      '3GP with H.264 + AAC',
      '3gp',
      media('mov,mp4,m4a,3gp,3g2,mj2', 'h264', 'aac'),
      { kind: 'remux', container: 'mp4' },
    ],
    [
      'DVD .vob: MPEG-2 + AC-3',
      'vob',
      media('mpeg', 'mpeg2video', 'ac3'),
      { kind: 'remux', container: 'mkv', regenerateTimestamps: true },
    ],
    [
      'DVD .mpg: MPEG-2 + MP2',
      'mpg',
      media('mpeg', 'mpeg2video', 'mp2'),
      { kind: 'remux', container: 'mkv' },
    ],
    [
      'broadcast .ts MPEG-2 + MP2',
      'ts',
      media('mpegts', 'mpeg2video', 'mp2'),
      { kind: 'remux', container: 'mkv' },
    ],
    [
      '.mxf MPEG-2 + PCM',
      'mxf',
      media('mxf', 'mpeg2video', 'pcm_s24le'),
      { kind: 'remux', container: 'mkv', regenerateTimestamps: false },
    ],
    ['.flv with H.264 + AAC', 'flv', media('flv', 'h264', 'aac'), { kind: 'remux', container: 'mp4' }],
    ['.flv with Sorenson Spark + MP3', 'flv', media('flv', 'flv1', 'mp3'), { kind: 'transcode' }],
    ['.wmv: WMV2 + WMA2', 'wmv', media('asf', 'wmv2', 'wmav2'), { kind: 'transcode' }],
    ['.asf: H.264 + WMA', 'asf', media('asf', 'h264', 'wmav2'), { kind: 'transcode' }],
    ['.dv: DV + PCM', 'dv', media('dv', 'dvvideo', 'pcm_s16le'), { kind: 'transcode' }],
    [
      '.3gp with H.263 + AMR',
      '3gp',
      media('mov,mp4,m4a,3gp,3g2,mj2', 'h263', 'amr_nb'),
      { kind: 'transcode' },
    ],
    ['.ogv: Theora + Vorbis', 'ogv', media('ogg', 'theora', 'vorbis'), { kind: 'transcode' }],
    ['silent .mts', 'mts', media('mpegts', 'h264'), { kind: 'remux', container: 'mp4' }],
    ['no video', 'vob', media('mpeg', undefined, 'ac3'), { kind: 'transcode' }],
  ])('%s', (_name, ext, info, expected) => {
    const plan = planCloudIntake(ext, info);
    expect(plan).toMatchObject(expected);
    expect(plan.reason.length).toBeGreaterThan(0);
  });

  it('names the copy after the source, with the new container', () => {
    expect(
      cloudIntakeName('00001', { kind: 'remux', container: 'mp4', reason: '', regenerateTimestamps: true }),
    ).toBe('00001.mp4');
    expect(
      cloudIntakeName('VTS_01_1', {
        kind: 'remux',
        container: 'mkv',
        reason: '',
        regenerateTimestamps: true,
      }),
    ).toBe('VTS_01_1.mkv');
    expect(cloudIntakeName('old', { kind: 'transcode', reason: '' })).toBe('old.mp4');
    expect(cloudIntakeName('clip', { kind: 'as-is', reason: '' })).toBeUndefined();
  });

  it('builds copy-only arguments through file:, with the container chosen', () => {
    const args = buildCloudIntakeArgs(
      { kind: 'remux', container: 'mkv', reason: '', regenerateTimestamps: true },
      '-x.vob',
      '/o/x.mkv',
    );
    expect(args.slice(args.indexOf('-fflags'), args.indexOf('-fflags') + 2)).toEqual(['-fflags', '+genpts']);
    expect(args).toContain('file:-x.vob');
    expect(args.slice(-3)).toEqual(['-f', 'matroska', 'file:/o/x.mkv']);
    expect(args.slice(args.indexOf('-c'), args.indexOf('-c') + 2)).toEqual(['-c', 'copy']);
  });
});
