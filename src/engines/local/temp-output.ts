import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * A hidden name beside `destination` (same folder, so the final rename is atomic and never crosses
 * devices), ending in `.part` so nothing mistakes it for a finished MP4. Derived from the destination,
 * so a job run again after a hard crash overwrites its own leftover instead of adding another; hashed
 * because the destination's name may already be near the file-name length limit.
 */
export function tempPathBeside(destination: string): string {
  const id = createHash('sha256').update(destination).digest('hex').slice(0, 16);
  return join(dirname(destination), `.video-inbox-${id}.ffmpeg.part`);
}
