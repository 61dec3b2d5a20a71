import { join } from 'node:path';
import type { ReservedName } from '../domain/job.js';
import { numberedName } from './numbered-name.js';
import type { OutboxFs } from './outbox-fs.js';

/** How many numbered names (`clip (1).mp4`…) are looked at for an earlier placement. */
const MAX_CANDIDATES = 100;

/**
 * Placement gives the job's temp output (a name derived from the job id) its final name with a hard
 * link, records that name, then removes the temp. A daemon or node that died, or lost Redis, between
 * the link and the record leaves the temp linked to a final name that nobody recorded. A re-run would render
 * or download to a fresh temp and place it as `clip (1).mp4`: a second MP4. So before a job without a
 * recorded output runs its engine, this looks for that state and returns the final name (removing
 * the temp's now-redundant name), or undefined when there is nothing to recover.
 *
 * `deliver` records the final name through `onPlaced` before it removes the temp, but a process killed
 * (or a Redis write lost) between the link and that record leaves this state, so the one job path
 * makes this check before it runs the engine of any job without a recorded output.
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

/** FAT keeps modification times to 2 s. */
const MTIME_SLACK_MS = 2000;

/**
 * What stands at a name an earlier run reserved on a file system without hard links (an empty file,
 * then the file renamed over it, whose size and mtime were recorded): its own empty reservation,
 * which is removed (the run was killed before the rename, and no empty file may stay behind); the
 * file it renamed there; nothing; or another file, which is left alone.
 */
export async function checkReservation(
  reserved: ReservedName,
  fs: OutboxFs,
): Promise<'absent' | 'cleared' | 'renamed' | 'other'> {
  const at = await fs.stat(reserved.path).catch(() => undefined);
  if (!at) return 'absent';
  if (at.size === 0 && reserved.size > 0) {
    await fs.unlink(reserved.path).catch(() => undefined);
    return 'cleared';
  }
  const same = at.size === reserved.size && Math.abs(at.mtimeMs - reserved.mtimeMs) <= MTIME_SLACK_MS;
  return same ? 'renamed' : 'other';
}

/**
 * The same recovery for an output, where placement reserved the final name and renamed the temp over
 * it. A run killed after the rename left the output under the reserved name and no temp: that file is
 * returned as the output. A run killed before it left an empty reservation, which goes, so the job
 * places its output under the name it wanted.
 */
export async function recoverReservedOutput(
  temp: string,
  reserved: ReservedName,
  fs: OutboxFs,
): Promise<string | undefined> {
  if ((await checkReservation(reserved, fs)) !== 'renamed') return undefined;
  const tempLeft = await fs.stat(temp).then(
    () => true,
    () => false,
  );
  return tempLeft ? undefined : reserved.path;
}
