import { toVideoInboxError, VideoInboxError } from '../core/errors.js';
import type { AfterAction, SourceIdentity } from '../domain/job.js';
import type { OutboxFs } from './outbox-fs.js';
import type { OutputContract } from './verify-output.js';
import { placeOutput, type PlaceOptions } from './place.js';
import { applyAfterAction, type AfterActionOptions } from './source-action.js';

export interface DeliverOptions {
  temp: string;
  outboxDir: string;
  name: string;
  expectedDurationSec?: number;
  /** See PlaceOptions.knownStreams. */
  knownStreams?: PlaceOptions['knownStreams'];
  ffprobe?: string;
  /** See PlaceOptions.contract. */
  contract?: OutputContract;
  /**
   * The output an earlier run already placed (recorded with the job before it was interrupted): only
   * the source step remains, and nothing is placed a second time.
   */
  placed?: string;
  source: string;
  inboxDir: string;
  after: AfterAction;
  /** The source as the job took it: see AfterActionOptions.expect. */
  expect?: SourceIdentity;
  /** See AfterActionOptions.hashFile. */
  hashFile?: (path: string) => Promise<string>;
  /** See PlaceOptions.onPlaced. */
  onPlaced?: (path: string) => Promise<void>;
  /** See PlaceOptions.onReserved. */
  onReserved?: PlaceOptions['onReserved'];
  /** See AfterActionOptions.reserved. */
  archiveReserved?: AfterActionOptions['reserved'];
  /** See AfterActionOptions.onReserved. */
  onArchiveReserved?: AfterActionOptions['onReserved'];
  fs: OutboxFs;
}

export interface Delivered {
  output: string;
  /** Where the source is now (undefined: deleted). */
  source: string | undefined;
  /**
   * Why the source could not be archived or deleted, once the output was safe in the outbox. The
   * source then stays where it was (`source` is its path): a done job, with a warning to log.
   */
  sourceError?: VideoInboxError;
}

/**
 * The one order that never loses a video: place and verify the output, check it stands in its final
 * place, and only then archive, delete or keep the source. Any failure before that throws and leaves
 * the source exactly where it was. Every caller that finishes a job (the daemon, `convert`) comes here.
 */
export async function deliver(opts: DeliverOptions): Promise<Delivered> {
  const output = opts.placed ?? (await placeChecked(opts));
  try {
    const source = await applyAfterAction(opts.source, opts.inboxDir, opts.after, {
      fs: opts.fs,
      expect: opts.expect,
      hashFile: opts.hashFile,
      reserved: opts.archiveReserved,
      onReserved: opts.onArchiveReserved,
    });
    return { output, source };
  } catch (err) {
    return { output, source: opts.source, sourceError: toVideoInboxError(err) };
  }
}

/** Places the output and checks the placed file is the one that was verified, byte count and all. */
async function placeChecked(opts: DeliverOptions): Promise<string> {
  const { fs } = opts;
  const tempSize = await fs.stat(opts.temp).then(
    (s) => s.size,
    () => undefined, // placeOutput explains a missing temp
  );
  const output = await placeOutput(opts);
  const placed = await fs.stat(output);
  if (tempSize !== undefined && placed.size !== tempSize) {
    throw new VideoInboxError('OUTPUT_INVALID', 'The placed output differs from the verified file', {
      context: { output, expected: tempSize, got: placed.size },
      hint: 'The source was left untouched. Check the outbox disk, then run `video-inbox retry <file>`.',
    });
  }
  return output;
}
