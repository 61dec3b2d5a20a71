import { FfmpegError, VideoInboxError, toVideoInboxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { MediaInfo } from '../domain/media.js';
import type { Engine } from '../engines/engine.js';
import { atomLayoutOfFile, withReadAt } from '../engines/local/atom-order.js';
import { readMp4Index, type Mp4Index, type Mp4Track } from '../engines/local/mp4-index.js';
import {
  contractViolations,
  describeViolations,
  type ContractOptions,
  type OutputFacts,
} from '../engines/local/mp4-contract.js';
import { probeMedia } from '../engines/local/probe.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';

/** What the output is checked against beyond "a playable MP4": the MP4 contract's options. */
export interface OutputContract extends ContractOptions {
  /** The source had sound, so the output must have AAC sound. Unknown: only "AAC if any" is checked. */
  sourceHadAudio?: boolean;
}

/** How far an output's duration may stray from the expected one: 1 s or 5 %, whichever is larger. */
export function durationTolerance(expectedSec: number): number {
  return Math.max(1, expectedSec * 0.05);
}

/** Why `info` is not a playable MP4 of the expected duration, or undefined when it is one. */
export function outputProblem(info: MediaInfo, expectedDurationSec?: number): string | undefined {
  if (info.sizeBytes === 0) return 'the file is empty';
  const formats = info.formatName.split(',');
  if (!formats.includes('mp4') && !formats.includes('mov'))
    return `it is not an MP4 (format: ${info.formatName})`;
  if (!info.video) return 'it has no video stream';
  if (expectedDurationSec === undefined) return undefined;
  if (info.durationSec === undefined) return 'its duration cannot be read';
  if (Math.abs(info.durationSec - expectedDurationSec) > durationTolerance(expectedDurationSec)) {
    return `it lasts ${info.durationSec.toFixed(1)} s where about ${expectedDurationSec.toFixed(1)} s was expected`;
  }
  return undefined;
}

/** Why `facts` break the MP4 contract (H.264 yuv420p ≤ High, AAC, faststart, in the box), or undefined. */
export function contractProblem(facts: OutputFacts, contract: OutputContract = {}): string | undefined {
  const violations = contractViolations(facts, contract);
  return violations.length > 0 ? describeViolations(violations) : undefined;
}

export interface VerifyOptions {
  expectedDurationSec?: number;
  ffprobe?: string;
  signal?: AbortSignal;
  /** Defaults to the strict contract: H.264 only, in the 1920x1080 box. */
  contract?: OutputContract;
  /**
   * The streams the output was made to hold, when its engine knows them without reading it back: a
   * remux copies the probed source's streams bit for bit, so their codec facts (profile, pixel
   * format, colours) are the source's. The output's own index is then read in-process, to check it
   * holds those streams, its duration and its layout; ffprobe runs only when it does not match.
   */
  knownStreams?: MediaInfo;
}

/**
 * Throws OUTPUT_INVALID unless `path` is a playable MP4 (and of the expected duration, when given)
 * that meets the MP4 contract: nobody receives an HEVC, 10-bit, HDR, oversized or non-faststart file,
 * whichever engine made it. A missing ffprobe is FFMPEG_MISSING: the output may be fine, it just
 * cannot be checked.
 */
export async function verifyOutput(path: string, opts: VerifyOptions = {}): Promise<OutputFacts> {
  const known = opts.knownStreams && (await knownFacts(path, opts.knownStreams).catch(() => undefined));
  const info = known ?? (await probed(path, opts));
  const problem = outputProblem(info, opts.expectedDurationSec);
  if (problem) throw invalid(path, problem);
  const layout = await atomLayoutOfFile(path).catch(() => undefined);
  // ffprobe reads a faststart file from its index alone, so a file cut in its media looks whole to it.
  if (layout?.truncated)
    throw invalid(
      path,
      'it is cut short: its media runs past the end of the file, so players cannot read it to the end',
    );
  const facts: OutputFacts = { ...info, moovFirst: layout?.moovFirst };
  const breach = contractProblem(facts, opts.contract);
  if (breach) throw outsideContract(path, breach);
  return facts;
}

/** What ffprobe says of the output: FFMPEG_MISSING without it, OUTPUT_INVALID when it cannot read it. */
async function probed(path: string, opts: VerifyOptions): Promise<MediaInfo> {
  try {
    return await probeMedia(path, opts.ffprobe, opts.signal);
  } catch (err) {
    if (err instanceof FfmpegError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new VideoInboxError('FFMPEG_MISSING', 'ffprobe was not found, so the output cannot be checked', {
        cause: err,
        hint: 'Install ffmpeg (it includes ffprobe) or set its path in the config, then retry.',
      });
    }
    throw invalid(path, err instanceof FfmpegError ? 'ffprobe cannot read it' : 'it cannot be read', err);
  }
}

/** ffprobe's demuxer name for every ISO media file (MP4, MOV, M4A…), as probeMedia reports it. */
const ISO_FORMAT = 'mov,mp4,m4a,3gp,3g2,mj2';
/** The sample entries an MP4 holds each codec the contract takes under. */
const VIDEO_ENTRIES: Record<string, readonly string[]> = { h264: ['avc1', 'avc3'], hevc: ['hvc1', 'hev1'] };
/** esds objectTypeIndication of MPEG-4 audio (AAC). */
const MPEG4_AUDIO = 0x40;
/** The profile_idc in avcC or hvcC for each profile name ffprobe gives. */
const PROFILE_IDC: Record<string, Record<string, number>> = {
  h264: {
    'Constrained Baseline': 66,
    Baseline: 66,
    Main: 77,
    Extended: 88,
    High: 100,
    'Constrained High': 100,
    'Progressive High': 100,
    'High 10': 110,
    'High 10 Intra': 110,
    'High 4:2:2': 122,
    'High 4:2:2 Intra': 122,
    'High 4:4:4 Predictive': 244,
    'High 4:4:4 Intra': 244,
  },
  hevc: { Main: 1, 'Main 10': 2, 'Main Still Picture': 3, Rext: 4 },
};
/** colr transfer characteristics: PQ and HLG, by their ffprobe names. */
const HDR_TRANSFER_CODES: Record<number, string> = { 16: 'smpte2084', 18: 'arib-std-b67' };

/**
 * The output's facts from its own index, when it holds exactly the known streams: one video track of
 * the known codec, coded size and profile (from its avcC or hvcC), not tagged HDR unless the source
 * was, and one AAC track exactly when there is known sound. Undefined otherwise (not an MP4, a track
 * too many or missing, another codec or profile, no duration), and ffprobe decides.
 */
async function knownFacts(path: string, known: MediaInfo): Promise<MediaInfo | undefined> {
  // One open: the size comes with the index.
  const { index, size } = await withReadAt(path, async (read, fileSize) => ({
    index: await readMp4Index(read, fileSize),
    size: fileSize,
  }));
  const video = index && holdsKnown(index, known);
  if (!video || !known.video || !index.durationSec) return undefined;
  return {
    formatName: ISO_FORMAT,
    durationSec: index.durationSec,
    sizeBytes: size,
    video: { ...known.video, codecTag: video.sampleEntry },
    audio: known.audio,
  };
}

/** The index's one video track when the index holds exactly the known streams. */
function holdsKnown(index: Mp4Index, known: MediaInfo): Mp4Track | undefined {
  const videos = index.tracks.filter((t) => t.handler === 'vide');
  const sounds = index.tracks.filter((t) => t.handler === 'soun');
  const [video] = videos;
  if (videos.length !== 1 || !video || !known.video) return undefined;
  if (!(VIDEO_ENTRIES[known.video.codec] ?? []).includes(video.sampleEntry ?? '')) return undefined;
  if (video.width !== known.video.width || video.height !== known.video.height) return undefined;
  // The codec's own header, in the output, says the profile the source's probe saw, and no HDR it did not.
  const idc = PROFILE_IDC[known.video.codec]?.[known.video.profile ?? ''];
  if (idc === undefined || video.profileIdc !== idc) return undefined;
  const hdr = video.transfer === undefined ? undefined : HDR_TRANSFER_CODES[video.transfer];
  if (hdr !== undefined && hdr !== known.video.colorTransfer) return undefined;
  if (!known.audio) return sounds.length === 0 ? video : undefined;
  const [sound] = sounds;
  const aac =
    sounds.length === 1 &&
    known.audio.codec === 'aac' &&
    sound?.sampleEntry === 'mp4a' &&
    sound.objectType === MPEG4_AUDIO;
  return aac ? video : undefined;
}

/** Not a damaged file but the wrong kind: converting it again the same way gives the same result. */
export function outsideContract(path: string, why: string): VideoInboxError {
  return new VideoInboxError('OUTPUT_INVALID', `The converted file does not meet the MP4 contract: ${why}`, {
    context: { path, outsideContract: true },
    hint: 'The source was left untouched and nothing was placed in the outbox. Install ffmpeg (so such a file is converted locally) or set `engine: local` in the rule, then retry the file.',
    retryable: false,
  });
}

export interface ConformOptions extends VerifyOptions {
  /**
   * The local engine (ffmpeg) that brings a file outside the contract into it; without one such a
   * file fails, with a hint to install ffmpeg.
   */
  engine: Engine | undefined;
  fs: Pick<OutboxFs, 'rename' | 'unlink'>;
  log: Logger;
}

export interface Conformed {
  facts: OutputFacts;
  /** What the local conversion did ("remuxed", "transcoded"), when the file needed one. */
  fixed?: string;
}

/**
 * verifyOutput for a file made elsewhere (the cloud render): a playable MP4 outside the contract
 * (HEVC, 10-bit, HDR, too large, index at the end) is converted in place by the local engine (remux
 * where that suffices, else transcode) and verified again. Without the local engine (no ffmpeg), or
 * when the file is damaged, it fails as verifyOutput does, and nothing outside the contract reaches
 * the outbox.
 */
export async function conformOutput(path: string, opts: ConformOptions): Promise<Conformed> {
  try {
    return { facts: await verifyOutput(path, opts) };
  } catch (err) {
    const error = toVideoInboxError(err);
    if (error.context.outsideContract !== true) throw error;
    if (!opts.engine) throw withoutFfmpeg(error);
    opts.log.warn(
      { file: path, reason: error.message },
      'Output outside the MP4 contract; converting it locally',
    );
  }
  const fixed = `${path}.conform.mp4`;
  try {
    const result = await opts.engine.run(
      {
        jobId: 'conform',
        input: path,
        instructions: [],
        skill: 'local',
        language: 'en',
        quality: 'high',
        destination: fixed,
        local: { height: opts.contract?.height, keepHevc: opts.contract?.keepHevc },
      },
      { signal: opts.signal ?? new AbortController().signal, progress: () => {}, checkpoint: async () => {} },
    );
    await opts.fs.rename(fixed, path);
    return { facts: await verifyOutput(path, opts), fixed: result.summary };
  } finally {
    await opts.fs.unlink(fixed).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT')
        opts.log.warn({ file: fixed, err }, 'Could not remove a conversion temp');
    });
  }
}

/** The render is outside the contract and there is no ffmpeg here to fix it. */
function withoutFfmpeg(error: VideoInboxError): VideoInboxError {
  return new VideoInboxError(
    'OUTPUT_INVALID',
    `${error.message}; ffmpeg is not installed, so it cannot be converted into one here`,
    {
      cause: error,
      context: error.context,
      hint: 'The source was left untouched and nothing was placed in the outbox. Install ffmpeg (or set ffmpegPath in the config), restart the daemon, then retry the file.',
      retryable: false,
    },
  );
}

function invalid(path: string, why: string, cause?: unknown): VideoInboxError {
  return new VideoInboxError('OUTPUT_INVALID', `The converted file is not usable: ${why}`, {
    cause,
    context: { path },
    hint: 'The source was left untouched. Run `video-inbox retry <file>` to convert it again; if it keeps failing, report it with the file type.',
    retryable: true,
  });
}
