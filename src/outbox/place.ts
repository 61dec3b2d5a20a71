import { join } from 'node:path';
import { VideoInboxError, toVideoInboxError } from '../core/errors.js';
import { fsyncFile } from '../core/fsync.js';
import { isPlainFileName } from './numbered-name.js';
import { moveNoClobber, type MoveOptions } from './move.js';
import { errnoCode, type OutboxFs } from './outbox-fs.js';
import { verifyOutput, type OutputContract, type VerifyOptions } from './verify-output.js';

export interface PlaceOptions {
  /** Where the engine wrote the MP4 (normally `outputTempPath`). */
  temp: string;
  outboxDir: string;
  /** The file name wanted in the outbox; a taken name gets ` (1)`, ` (2)`… */
  name: string;
  expectedDurationSec?: number;
  /** See VerifyOptions.knownStreams: the output (and any copy of it) is checked against them. */
  knownStreams?: VerifyOptions['knownStreams'];
  ffprobe?: string;
  /** What the output must meet beyond "a playable MP4" (the rule's keepHevc and height, the source's sound). */
  contract?: OutputContract;
  /**
   * Called with the final path once it holds the output and before the temp name is removed: record
   * it in the journal here, so a crash at any point leaves either the temp or a recorded output.
   */
  onPlaced?: (path: string) => Promise<void>;
  /** See MoveOptions.onReserved: record it too (a file system without hard links). */
  onReserved?: MoveOptions['onReserved'];
  fs: OutboxFs;
}

/**
 * Where an engine writes a job's output: a hidden name inside the outbox itself, so the final placement
 * is a same-device link, and watchers (ours, a sync client's) skip it. It ends in `.mp4` because ffmpeg
 * picks the container from the extension.
 */
export function outputTempPath(outboxDir: string, jobId: string): string {
  return join(outboxDir, `.video-inbox-${jobId.replace(/[^A-Za-z0-9_-]/g, '_')}.partial.mp4`);
}

/**
 * Verifies the temp is a playable MP4, flushes it, and gives it its final name without ever replacing
 * an existing file; returns the final path. An invalid output throws OUTPUT_INVALID and is removed.
 * Across devices the temp is copied into the outbox, the copy verified and placed, then the temp
 * removed. Nothing here touches the source: that comes after, and only after this resolves.
 */
export async function placeOutput(opts: PlaceOptions): Promise<string> {
  const { fs } = opts;
  if (!isPlainFileName(opts.name)) {
    throw new VideoInboxError('CONFIG_INVALID', `The output name "${opts.name}" is not a plain file name`, {
      hint: 'Change output.name in the rule so it has no folders in it.',
    });
  }
  const check = (path: string) =>
    verifyOutput(path, {
      expectedDurationSec: opts.expectedDurationSec,
      knownStreams: opts.knownStreams,
      ffprobe: opts.ffprobe,
      contract: opts.contract,
    });
  try {
    await check(opts.temp);
    await fsyncFile(opts.temp);
  } catch (err) {
    if (toVideoInboxError(err).code !== 'FFMPEG_MISSING') await removeTemp(fs, opts.temp);
    throw toVideoInboxError(err);
  }
  try {
    return await moveNoClobber(fs, opts.temp, opts.outboxDir, opts.name, {
      verifyCopy: async (copy) => {
        await check(copy);
      },
      onPlaced: opts.onPlaced,
      onReserved: opts.onReserved,
    });
  } catch (err) {
    const error = toVideoInboxError(err);
    if (error.code === 'OUTPUT_INVALID') await removeTemp(fs, opts.temp);
    throw error;
  }
}

/** Removes an output temp that is not worth keeping; one already gone is fine. */
export async function removeTemp(fs: OutboxFs, temp: string): Promise<void> {
  await fs.unlink(temp).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}
