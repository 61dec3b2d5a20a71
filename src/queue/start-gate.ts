import { isOpen, nextOpening, type ScheduleWindow } from '../schedule/schedule-policy.js';

/**
 * Whether a new job may start now: not paused, and inside the schedule (the folder's own, else the
 * top-level one). Running jobs are never stopped by a schedule. The queue asks this before it runs a
 * job; a job that may not start waits and is offered again by `release` (see the daemon's tick).
 */
export interface StartGate {
  canStartNewJob(now: Date, folder?: string): boolean;
  /** When work resumes by itself (schedule), if it is closed now; undefined when paused or open. */
  resumesAt(now: Date, folder?: string): Date | undefined;
  /** Inside the schedule (pause aside): a cluster node steers its own workers with this. */
  scheduleOpen(now: Date, folder?: string): boolean;
  /** When the schedule opens next (pause aside); undefined when open now. */
  opensAt(now: Date, folder?: string): Date | undefined;
}

export interface GateInputs {
  paused(): boolean;
  schedule(): readonly ScheduleWindow[] | undefined;
  folderSchedule(folder: string): readonly ScheduleWindow[] | undefined;
}

export function createStartGate(inputs: GateInputs): StartGate {
  const windowsOf = (folder?: string) =>
    (folder ? inputs.folderSchedule(folder) : undefined) ?? inputs.schedule();
  return {
    canStartNewJob: (now, folder) => !inputs.paused() && isOpen(windowsOf(folder), now),
    resumesAt: (now, folder) => (inputs.paused() ? undefined : nextOpening(windowsOf(folder), now)),
    scheduleOpen: (now, folder) => isOpen(windowsOf(folder), now),
    opensAt: (now, folder) => nextOpening(windowsOf(folder), now),
  };
}
