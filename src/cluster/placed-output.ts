import { join } from 'node:path';
import { numberedName } from '../outbox/numbered-name.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';

/** How many numbered names (`clip (1).mp4`…) are looked at for an earlier placement. */
const MAX_CANDIDATES = 100;

/**
 * Placement gives the job's temp output (a name derived from the job id) its final name with a hard
 * link, records that name, then removes the temp. A node that died, or lost Redis, between the link
 * and the record leaves the temp linked to a final name that nobody recorded. A re-run would render
 * or download to a fresh temp and place it as `clip (1).mp4`: a second MP4. So before a job without a
 * recorded output runs its engine, this looks for that state and returns the final name (removing
 * the temp's now-redundant name), or undefined when there is nothing to recover.
 *
 * `deliver` records the final name through `onPlaced` before it removes the temp, so on one host the
 * journal always has it; on a cluster that record is a Redis write that may fail, hence this check,
 * which the cluster worker makes before it runs the job path.
 */
export async function recoverPlacedOutput(
  temp: string,
  outboxDir: string,
  name: string,
  fs: OutboxFs,
): Promise<string | undefined> {
  let t;
  try {
    t = await fs.stat(temp);
  } catch {
    return undefined;
  }
  if (t.nlink < 2) return undefined;
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const candidate = join(outboxDir, numberedName(name, n));
    let c;
    try {
      c = await fs.stat(candidate);
    } catch {
      // Names are taken in order, so the first free one ends the search.
      return undefined;
    }
    if (c.ino === t.ino && c.dev === t.dev) {
      await fs.unlink(temp).catch(() => undefined);
      return candidate;
    }
  }
  return undefined;
}
