import { VideoInboxError } from '../core/errors.js';
import { nodeOutboxFs, type OutboxFs } from './outbox-fs.js';
import { placeOutput } from './place.js';
import { applyAfterAction, type AfterAction } from './source-action.js';

export interface DeliverOptions {
  temp: string;
  outboxDir: string;
  name: string;
  expectedDurationSec?: number;
  ffprobe?: string;
  source: string;
  inboxDir: string;
  after: AfterAction;
  /** See PlaceOptions.onPlaced. */
  onPlaced?: (path: string) => Promise<void>;
  fs?: OutboxFs;
}

export interface Delivered {
  output: string;
  /** Where the source is now (undefined: deleted). */
  source: string | undefined;
}

/**
 * The one order that never loses a video: place and verify the output, check it stands in its final
 * place, and only then archive, delete or keep the source. Any failure before that leaves the source
 * exactly where it was.
 */
export async function deliver(opts: DeliverOptions): Promise<Delivered> {
  const fs = opts.fs ?? nodeOutboxFs;
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
  const source = await applyAfterAction(opts.source, opts.inboxDir, opts.after, { fs });
  return { output, source };
}
