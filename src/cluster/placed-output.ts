import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { numberedName } from '../outbox/numbered-name.js';

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
 * Seam: belongs to the placing step of the one job path; the cluster worker calls it first.
 */
export async function recoverPlacedOutput(
  temp: string,
  outboxDir: string,
  name: string,
): Promise<string | undefined> {
  let t;
  try {
    t = await stat(temp);
  } catch {
    return undefined;
  }
  if (t.nlink < 2) return undefined;
  for (let n = 0; n < MAX_CANDIDATES; n++) {
    const candidate = join(outboxDir, numberedName(name, n));
    let c;
    try {
      c = await stat(candidate);
    } catch {
      // Names are taken in order, so the first free one ends the search.
      return undefined;
    }
    if (c.ino === t.ino && c.dev === t.dev) {
      await unlink(temp).catch(() => undefined);
      return candidate;
    }
  }
  return undefined;
}
