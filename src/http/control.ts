import type { JobState } from '../domain/job.js';
import type { JobView } from '../events/events.js';

/**
 * What the HTTP surface may ask of the daemon, and nothing more. The server only knows this port;
 * daemon-control.ts implements it over today's journal and pipeline.
 */
export interface Control {
  listFolders(): FolderView[];
  listJobs(filter: JobQuery, page: Page): JobList | Promise<JobList>;
  getJob(id: string): JobDetail | undefined | Promise<JobDetail | undefined>;
  retry(id: string): Promise<ActionResult>;
  cancel(id: string): Promise<ActionResult>;
  pause(opts: { drain: boolean }): Promise<PauseView>;
  resume(): Promise<PauseView>;
  pauseState(): PauseView;
  credits(): Promise<CreditsView>;
  readiness(): Promise<Readiness>;
  recentLog(): LogLine[];
  /** Cluster mode only: this node, the nodes alive and whether cloud jobs are held on every node. */
  cluster?(): Promise<ClusterView>;
}

export interface JobList {
  jobs: JobView[];
  total: number;
}

export type JobDetail = JobView & { history: HistoryEntry[] };

export interface ClusterView {
  node: string;
  nodes: {
    node: string;
    pid: number;
    startedAt: number;
    seenAt: number;
    concurrency: number;
    local: number;
  }[];
  cloudPaused: boolean;
}

export interface FolderView {
  name: string;
  inbox: string;
  outbox: string;
  rules: string;
  /** The rule in force (as loaded), if any. */
  rule?: unknown;
  ruleVersion?: string;
  /** Why the rule file does not load (the last good rule, if any, stays in force). */
  ruleError?: string;
  schedule?: string[];
}

export interface JobQuery {
  state?: JobState[];
  folder?: string;
  /** Case-insensitive part of the file name. */
  q?: string;
}

export interface Page {
  offset: number;
  limit: number;
}

export interface HistoryEntry {
  at: number;
  state: JobState;
  message?: string;
}

export type ActionResult =
  { ok: true; message: string } | { ok: false; status: 404 | 409; code: string; message: string };

export interface PauseView {
  paused: boolean;
  drain: boolean;
  since?: number;
  /** Closed by the schedule right now. */
  scheduleClosed: boolean;
  /** When new jobs may start again by themselves (ISO), if the schedule closed them. */
  resumesAt?: string;
  running: number;
  waiting: number;
}

export type CreditsView = { available: number; checkedAt: string } | { error: string; code: string };

export interface Readiness {
  ready: boolean;
  checks: { watcher: boolean; journal: boolean; api: 'reachable' | 'unreachable' | 'not-needed' };
}

export interface LogLine {
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}
