import { copyFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaInfo } from '../../../src/domain/media.js';
import { probeMedia } from '../../../src/engines/local/probe.js';
import { verifyOutput } from '../../../src/outbox/verify-output.js';
import { encodeTestSources } from '../../helpers/media.js';
import { useLocalEngineSuite } from '../engines/local/local-suite.js';

/**
 * A local remux copies the probed source's streams, so its output is verified from its own index
 * against them, in-process. ffprobe is a path that does not exist wherever a test proves it was not
 * needed: had verification run it, it would have failed with FFMPEG_MISSING. Where the index does not
 * hold the known streams, ffprobe decides as it always did.
 */

const suite = useLocalEngineSuite('vi-verify-known-');
const NO_FFPROBE = '/nonexistent/ffprobe';
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

function make(name: string, out: string[], opts: { audio?: boolean; seconds?: number } = {}) {
  return encodeTestSources(join(suite.dir, name), out, { seconds: 2, ...opts });
}

/** The local engine's conversion of `input`, as the job path runs it (the source's probe handed in). */
async function convert(input: string, name: string) {
  const sourceMedia = await probeMedia(input);
  const destination = join(suite.dir, name);
  const result = await suite.engine.run(
    {
      jobId: name,
      input,
      instructions: [],
      skill: 'local',
      language: 'en',
      quality: 'high',
      destination,
      sourceMedia,
    },
    { signal: new AbortController().signal, progress: () => {}, checkpoint: async () => {} },
  );
  return { ...result, sourceMedia };
}

describe('a local remux is verified from its own index', () => {
  it('an H.264/AAC MOV remuxed: the facts are the source streams, the duration the index’s, no ffprobe', async () => {
    const input = await make('phone.mov', [...X264, '-c:a', 'aac'], { seconds: 3 });
    const { path, streams, sourceMedia } = await convert(input, 'phone.mp4');
    expect(streams?.video?.codec).toBe('h264');
    const facts = await verifyOutput(path, {
      knownStreams: streams,
      expectedDurationSec: sourceMedia.durationSec,
      contract: { sourceHadAudio: true },
      ffprobe: NO_FFPROBE,
    });
    // Codec facts are the source's (the stream is copied); the sample entry is the output's own.
    expect(facts.video).toMatchObject({ codec: 'h264', codecTag: 'avc1' });
    expect(facts.audio?.codec).toBe('aac');
    expect(facts.moovFirst).toBe(true);
    expect(facts.sizeBytes).toBe((await stat(path)).size);
    expect(facts.durationSec).toBeCloseTo((await probeMedia(path)).durationSec ?? NaN, 1);
  });

  it('MP3 sound converted to AAC beside the copied picture: known as AAC, checked as AAC', async () => {
    const input = await make('screen.mov', [...X264, '-c:a', 'libmp3lame']);
    const { path, streams, summary } = await convert(input, 'screen.mp4');
    expect(summary).toBe('remuxed, audio converted to AAC');
    expect(streams?.audio?.codec).toBe('aac');
    const facts = await verifyOutput(path, { knownStreams: streams, ffprobe: NO_FFPROBE });
    expect(facts.audio?.codec).toBe('aac');
  });

  it('a transcode has no known streams: its output is probed', async () => {
    const input = await make('old.avi', ['-c:v', 'mpeg4', '-c:a', 'libmp3lame']);
    const { streams } = await convert(input, 'old.mp4');
    expect(streams).toBeUndefined();
  });

  it('an index that does not hold the known sound is left to ffprobe, which finds the sound missing', async () => {
    const withSound = await make('with-sound.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const silent = await make('silent.mp4', [...X264, '-movflags', '+faststart'], { audio: false });
    const known = await probeMedia(withSound);
    await expect(verifyOutput(silent, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
    });
    await expect(
      verifyOutput(silent, { knownStreams: known, contract: { sourceHadAudio: true } }),
    ).rejects.toThrow(/no sound although the source has/);
  });

  it.each<[string, (known: MediaInfo) => MediaInfo]>([
    ['another coded size', (k) => ({ ...k, video: { ...k.video!, width: 640 } })],
    ['another codec', (k) => ({ ...k, video: { ...k.video!, codec: 'hevc' } })],
    ['no sound where the file has some', (k) => ({ ...k, audio: undefined })],
    ['sound of another codec', (k) => ({ ...k, audio: { codec: 'mp3' } })],
  ])('known streams with %s than the index holds: ffprobe is asked', async (_what, change) => {
    const path = await make('mismatch.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const known = change(await probeMedia(path));
    await expect(verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
    });
  });

  it.each<[string, (known: MediaInfo) => MediaInfo]>([
    ['another profile than the codec header', (k) => ({ ...k, video: { ...k.video!, profile: 'High' } })],
    ['no profile at all', (k) => ({ ...k, video: { ...k.video!, profile: undefined } })],
  ])('known streams with %s: ffprobe is asked', async (_what, change) => {
    const path = await make('profile.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const known = change(await probeMedia(path));
    await expect(verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
    });
  });

  it('an output tagged PQ (HDR) where the known source was not: ffprobe decides, and refuses it', async () => {
    const path = await make('pq.mp4', [
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ...['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc'],
      ...['-c:a', 'aac', '-movflags', '+faststart+write_colr'],
    ]);
    const probed = await probeMedia(path);
    expect(probed.video?.colorTransfer).toBe('smpte2084');
    const known = { ...probed, video: { ...probed.video!, colorTransfer: 'bt709' } };
    await expect(verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toMatchObject({
      code: 'FFMPEG_MISSING',
    });
    await expect(verifyOutput(path, { knownStreams: known })).rejects.toThrow(/it is HDR \(smpte2084\)/);
  });

  it('HEVC known and tagged hvc1 is outside the default contract, read from the index alone', async () => {
    // CI's ffmpeg (Debian's) has libx265; an ffmpeg without it cannot make this file.
    expect(suite.hasX265).toBe(true);
    const path = await make(
      'hevc.mp4',
      [
        ...['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
        ...['-pix_fmt', 'yuv420p', '-tag:v', 'hvc1', '-movflags', '+faststart'],
      ],
      { audio: false },
    );
    const known = await probeMedia(path);
    await expect(verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toThrow(
      /does not meet the MP4 contract: its video is hevc/,
    );
    await expect(
      verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE, contract: { keepHevc: true } }),
    ).resolves.toMatchObject({ video: { codec: 'hevc', codecTag: 'hvc1' } });
  });

  it('the duration comes from the index: a file far shorter than expected is refused', async () => {
    const path = await make('short.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const known = await probeMedia(path);
    await expect(
      verifyOutput(path, { knownStreams: known, expectedDurationSec: 30, ffprobe: NO_FFPROBE }),
    ).rejects.toThrow(/it lasts 2\.0 s where about 30\.0 s was expected/);
  });

  it('a file cut in its media is refused, though its index is whole', async () => {
    const whole = await make('whole.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const known = await probeMedia(whole);
    const cut = join(suite.dir, 'cut.mp4');
    await copyFile(whole, cut);
    await truncate(cut, (await stat(cut)).size - 1000);
    await expect(verifyOutput(cut, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toThrow(
      /cut short/,
    );
  });

  it('the index after the media breaks the contract (no faststart)', async () => {
    const path = await make('moov-last.mp4', [...X264, '-c:a', 'aac']);
    const known = await probeMedia(path);
    await expect(verifyOutput(path, { knownStreams: known, ffprobe: NO_FFPROBE })).rejects.toThrow(
      /index \(moov\) comes after the media/,
    );
  });
});
