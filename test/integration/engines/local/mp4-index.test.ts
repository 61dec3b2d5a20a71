import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mp4IndexOfFile,
  readMp4Index,
  readRemuxIndexRoom,
  remuxIndexRoomOfFile,
} from '../../../../src/engines/local/mp4-index.js';
import {
  encodeTestSources,
  ffprobeJson,
  QUIET_FFMPEG,
  topLevelBoxes,
  type TestSources,
} from '../../../helpers/media.js';

/**
 * The in-process reader of an MP4's index, against what ffprobe says of the same files made by the
 * real ffmpeg: tracks, sample entries, coded sizes, the audio's object type, the duration.
 */

const run = promisify(execFile);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-mp4-index-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function make(name: string, out: string[], opts: TestSources = {}) {
  return encodeTestSources(join(dir, name), out, { seconds: 2, ...opts });
}

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

async function ffprobeDuration(path: string): Promise<number> {
  const json = await ffprobeJson<{ format: { duration: string } }>(path);
  return Number(json.format.duration);
}

describe('readMp4Index on files ffmpeg made', () => {
  it('an H.264/AAC MP4 with its index first: one avc1 track at its coded size, one AAC track', async () => {
    const path = await make('h264-aac.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart'], {
      size: '640x360',
    });
    const index = await mp4IndexOfFile(path);
    expect(index?.tracks).toEqual([
      // ultrafast: no B-frames, no CABAC, so Constrained Baseline (66).
      { handler: 'vide', sampleEntry: 'avc1', width: 640, height: 360, profileIdc: 66 },
      { handler: 'soun', sampleEntry: 'mp4a', objectType: 0x40 },
    ]);
    expect(index?.durationSec).toBeCloseTo(await ffprobeDuration(path), 1);
  });

  it('the index at the end is read too', async () => {
    const path = await make('moov-last.mp4', [...X264, '-c:a', 'aac']);
    const index = await mp4IndexOfFile(path);
    expect(index?.tracks.map((t) => t.sampleEntry)).toEqual(['avc1', 'mp4a']);
  });

  it('MP3 in an MP4 is mp4a too, told apart by its object type', async () => {
    const path = await make('h264-mp3.mp4', [...X264, '-c:a', 'libmp3lame']);
    const sound = (await mp4IndexOfFile(path))?.tracks.find((t) => t.handler === 'soun');
    expect(sound?.sampleEntry).toBe('mp4a');
    expect(sound?.objectType).toBe(0x6b);
  });

  it('HEVC tagged hvc1, without sound, in a QuickTime MOV', async () => {
    const path = await make(
      'hevc.mov',
      [
        ...['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error'],
        ...['-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1'],
      ],
      { audio: false },
    );
    const index = await mp4IndexOfFile(path);
    expect(index?.tracks).toEqual([
      { handler: 'vide', sampleEntry: 'hvc1', width: 320, height: 240, profileIdc: 2 }, // Main 10
    ]);
  });

  it('AAC in a QuickTime MOV (a sound description of its own version) is read', async () => {
    const path = await make('h264-aac.mov', [...X264, '-c:a', 'aac']);
    const sound = (await mp4IndexOfFile(path))?.tracks.find((t) => t.handler === 'soun');
    expect(sound).toEqual({ handler: 'soun', sampleEntry: 'mp4a', objectType: 0x40 });
  });

  it('High profile and a PQ transfer in the colr box, as the codec header and the container say', async () => {
    const path = await make('pq.mp4', [
      // veryfast uses CABAC and 8x8 transforms, so x264 signals High (ultrafast stays Baseline).
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc'],
      ...['-c:a', 'aac', '-movflags', '+faststart+write_colr'],
    ]);
    const video = (await mp4IndexOfFile(path))?.tracks.find((t) => t.handler === 'vide');
    expect(video).toMatchObject({ sampleEntry: 'avc1', profileIdc: 100, transfer: 16 });
  });

  it('a fragmented MP4 (samples outside the moov) is left to ffprobe', async () => {
    const path = await make('fragmented.mp4', [
      ...X264,
      '-c:a',
      'aac',
      '-movflags',
      'frag_keyframe+empty_moov',
    ]);
    expect(await mp4IndexOfFile(path)).toBeUndefined();
  });

  it('a track with two sample entries is left to ffprobe', async () => {
    const path = await make('two-entries.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const bytes = await readFile(path);
    bytes.writeUInt32BE(2, bytes.indexOf('stsd') + 8); // after the type: version and flags, then the count
    await writeFile(path, bytes);
    expect(await mp4IndexOfFile(path)).toBeUndefined();
  });

  it('a moov with a 64-bit size, and a last box that runs to the end (size 0), are read', async () => {
    const path = await make('sizes.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const bytes = await readFile(path);
    const before = await mp4IndexOfFile(path);
    const moovAt = bytes.indexOf('moov') - 4;
    const moovSize = bytes.readUInt32BE(moovAt);
    const large = Buffer.alloc(16);
    large.writeUInt32BE(1, 0);
    large.write('moov', 4, 'latin1');
    large.writeBigUInt64BE(BigInt(moovSize + 8), 8);
    const rest = Buffer.from(bytes.subarray(moovAt + moovSize));
    const mdatAt = rest.indexOf('mdat') - 4;
    rest.writeUInt32BE(0, mdatAt);
    const rewritten = Buffer.concat([
      bytes.subarray(0, moovAt),
      large,
      bytes.subarray(moovAt + 8, moovAt + moovSize),
      rest,
    ]);
    const read = (offset: number, length: number) =>
      Promise.resolve(rewritten.subarray(offset, Math.min(rewritten.length, offset + length)));
    expect(before).toBeDefined();
    expect(await readMp4Index(read, rewritten.length)).toEqual(before);
  });

  it('not an ISO media file (an AVI), or one cut inside its index: no index', async () => {
    const avi = await make('clip.avi', ['-c:v', 'mpeg4', '-c:a', 'libmp3lame']);
    expect(await mp4IndexOfFile(avi)).toBeUndefined();
    const cut = await make('cut.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    await truncate(cut, 600); // inside the moov, which comes first
    expect(await mp4IndexOfFile(cut)).toBeUndefined();
  });

  it('an index larger than the file claims is not read', async () => {
    const path = await make('claims.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']);
    const bytes = await readFile(path);
    const moovAt = bytes.indexOf('moov') - 4;
    bytes.writeUInt32BE(bytes.length * 2, moovAt);
    await writeFile(path, bytes);
    expect(await mp4IndexOfFile(path)).toBeUndefined();
  });
});

describe('readRemuxIndexRoom: room for the index of a stream copy, kept at its front', () => {
  const COPY = ['-map', '0:V:0', '-map', '0:a:0?', '-c', 'copy', '-f', 'mp4'];

  /** The engine's stream copy by the real ffmpeg, into `room` reserved bytes or with +faststart. */
  async function copy(source: string, room: number | undefined) {
    const output = `${source}.${room === undefined ? 'faststart' : 'room'}.mp4`;
    const place = room === undefined ? ['-movflags', '+faststart'] : ['-moov_size', String(room)];
    const { stderr } = await run('ffmpeg', [...[...QUIET_FFMPEG, '-i', source, ...COPY, ...place, output]]);
    return { stderr, boxes: await topLevelBoxes(output) };
  }

  const moovSize = (boxes: { type: string; size: number }[]) => boxes.find((b) => b.type === 'moov')!.size;

  /** Samples in the tracks a copy keeps (the first video, the first audio), as ffprobe counts them. */
  async function copiedSamples(path: string): Promise<number> {
    const count = async (stream: string) => {
      const { stdout } = await run('ffprobe', [
        ...['-v', 'error', '-select_streams', stream, '-count_packets'],
        ...['-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path],
      ]);
      return Number(stdout.trim() || 0);
    };
    return (await count('V:0')) + (await count('a:0'));
  }

  const sources: [string, string, string[], TestSources?][] = [
    ['its index first, in a MOV', 'first.mov', [...X264, '-c:a', 'aac', '-movflags', '+faststart']],
    ['its index last, in a MOV', 'last.mov', [...X264, '-c:a', 'aac']],
    [
      'B-frames and MP3 sound, in an MP4',
      'bframes.mp4',
      ['-c:v', 'libx264', '-preset', 'medium', '-c:a', 'libmp3lame'],
    ],
    // The hard case: many samples, written in 4-second chunks, which the copy cuts finer (its chunk
    // offsets and sample-to-chunk entries grow with its samples).
    [
      'a minute of 240 fps in 4-second chunks, in a MOV',
      'chunky.mov',
      [...X264, '-c:a', 'aac', '-chunk_duration', '4000000', '-chunk_size', '50000000'],
      { size: '64x64', rate: 240, seconds: 60 },
    ],
  ];
  for (const [what, name, args, shape] of sources) {
    it(`${what}: the copy's index outgrows the source's by under 24 bytes per sample, and fits the room`, async () => {
      const source = await make(`room-${name}`, args, { audio: true, ...shape });
      const sourceIndex = moovSize(await topLevelBoxes(source));
      const samples = await copiedSamples(source);
      // What the bound assumes, measured without its 64 KiB of slack: the copy's own index, as
      // +faststart writes it, against the source's.
      const natural = moovSize((await copy(source, undefined)).boxes);
      expect(natural - sourceIndex).toBeLessThanOrEqual(24 * samples);
      const room = await remuxIndexRoomOfFile(source);
      expect(room).toBe(sourceIndex + 24 * samples + 64 * 1024);
      const { stderr, boxes } = await copy(source, room);
      expect(stderr).toBe('');
      const types = boxes.map((b) => b.type);
      expect(types.indexOf('moov')).toBeLessThan(types.indexOf('mdat'));
      // The room left over is a free box between them: the index was written in place.
      expect(boxes[types.indexOf('moov') + 1]).toMatchObject({ type: 'free' });
    });
  }

  it('counts only the tracks a copy keeps: a second, PCM sound track (a sample per audio frame) adds nothing', async () => {
    const source = await make(
      'room-aac-then-pcm.mov',
      ['-map', '0:v', '-map', '1:a', '-map', '1:a', ...X264, '-c:a:0', 'aac', '-c:a:1', 'pcm_s16le'],
      { size: '64x64', seconds: 20 },
    );
    const sourceIndex = moovSize(await topLevelBoxes(source));
    // 20 s of PCM at 48 kHz: 960,000 samples, which alone would ask for 23 MB.
    expect(await remuxIndexRoomOfFile(source)).toBe(
      sourceIndex + 24 * (await copiedSamples(source)) + 64 * 1024,
    );
  });

  it('no bound for an old QuickTime file whose index is compressed (cmov): its tracks cannot be counted', async () => {
    const box = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(8 + body.length);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, body]);
    };
    const moov = box(
      'moov',
      box('cmov', Buffer.concat([box('dcom', Buffer.from('zlib')), box('cmvd', Buffer.alloc(64))])),
    );
    const file = Buffer.concat([
      box('ftyp', Buffer.from('qt  \0\0\0\0qt  ')),
      moov,
      box('mdat', Buffer.alloc(1024)),
    ]);
    const read = async (offset: number, length: number) => file.subarray(offset, offset + length);
    expect(await readRemuxIndexRoom(read, file.length)).toBeUndefined();
  });

  it('no bound for a fragmented MP4, an AVI or a file that is not media', async () => {
    const fragmented = await make('room-fragmented.mp4', [...X264, '-movflags', 'frag_keyframe+empty_moov']);
    expect(await remuxIndexRoomOfFile(fragmented)).toBeUndefined();
    const avi = await make('room.avi', ['-c:v', 'mpeg4']);
    expect(await remuxIndexRoomOfFile(avi)).toBeUndefined();
    const text = join(dir, 'notes.mov');
    await writeFile(text, 'moov? no: a note someone named .mov\n'.repeat(100));
    expect(await remuxIndexRoomOfFile(text)).toBeUndefined();
  });
});

describe('readMp4Index on damaged bytes', () => {
  let whole: Buffer;
  beforeAll(async () => {
    whole = await readFile(await make('fuzz.mp4', [...X264, '-c:a', 'aac', '-movflags', '+faststart']));
  });

  // Any byte of the head changed to anything: an index or undefined, never an exception or a hang.
  fcTest.prop([fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 })], {
    numRuns: 300,
  })('never throws, whatever bytes are changed', async (changes) => {
    const bytes = Buffer.from(whole);
    const head = Math.min(bytes.length, 4096);
    for (const [at, value] of changes) bytes[at % head] = value;
    const read = (offset: number, length: number) =>
      Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
    const index = await readMp4Index(read, bytes.length);
    expect(index === undefined || Array.isArray(index.tracks)).toBe(true);
  });
});
