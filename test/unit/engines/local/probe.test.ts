import { describe, expect, it } from 'vitest';
import { parseProbe } from '../../../../src/engines/local/probe.js';

const cover = {
  codec_type: 'video',
  codec_name: 'mjpeg',
  width: 600,
  height: 600,
  disposition: { attached_pic: 1 },
};
const h264 = { codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, pix_fmt: 'yuv420p' };
const aac = { codec_type: 'audio', codec_name: 'aac', channels: 2 };

describe('parseProbe', () => {
  it.each([
    ['the playing video, not cover art listed first', [cover, h264, aac], 'h264'],
    ['no video when only cover art is there', [aac, cover], undefined],
    ['an ordinary video', [h264, aac], 'h264'],
  ])('finds %s', (_name, streams, codec) => {
    const info = parseProbe({ format: { format_name: 'mov,mp4', duration: '12.5' }, streams }, 100);
    expect(info.video?.codec).toBe(codec);
    expect(info.audio?.codec).toBe('aac');
    expect(info.durationSec).toBe(12.5);
  });

  it.each([
    [{ side_data_list: [{ rotation: -90 }] }, -90],
    [{ tags: { rotate: '90' } }, 90],
    [{}, undefined],
  ])('reads rotation from %j', (extra, rotation) => {
    const info = parseProbe({ streams: [{ ...h264, ...extra }] }, 1);
    expect(info.video?.rotation).toBe(rotation);
  });

  it('leaves an unknown duration undefined', () => {
    expect(parseProbe({ format: { duration: 'N/A' } }, 1).durationSec).toBeUndefined();
  });
});
