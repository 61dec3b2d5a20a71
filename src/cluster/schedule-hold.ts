/** The node's schedule windows (the start gate's, pause aside): a folder's own, else the top-level one. */
export interface Schedules {
  scheduleOpen(now: Date, folder?: string): boolean;
  opensAt(now: Date, folder?: string): Date | undefined;
}

/** A job of a closed folder is offered again at most this soon (another node may be open). */
export const CLOSED_FOLDER_RECHECK_MS = 30_000;

/**
 * Whether this node's schedule lets no job start now: every folder's window (its own, else the
 * top-level one) is closed. Then the node's workers pause; while any folder is open they run and a
 * job of a closed folder goes back to the queue (`closedFolderDelayMs`).
 */
export function scheduleClosesNode(gate: Schedules, folders: readonly string[], now: Date): boolean {
  if (folders.length === 0) return !gate.scheduleOpen(now);
  return folders.every((folder) => !gate.scheduleOpen(now, folder));
}

/**
 * How long a new job of `folder` waits before any node is offered it again, when this node's window
 * for the folder is closed (undefined: open, run it). Never longer than the recheck period, so a
 * node whose window is open takes it soon.
 */
export function closedFolderDelayMs(gate: Schedules, folder: string, now: Date): number | undefined {
  if (gate.scheduleOpen(now, folder)) return undefined;
  const opens = gate.opensAt(now, folder);
  const until = opens ? opens.getTime() - now.getTime() : CLOSED_FOLDER_RECHECK_MS;
  return Math.max(1000, Math.min(until, CLOSED_FOLDER_RECHECK_MS));
}
