import type { ClusterStatus } from '../cluster/cluster-status.js';
import type { JobRecord, JobState } from '../domain/job.js';
import type { IgnoredGroup } from './status-ignored.js';

export interface StatusReport {
  daemon: {
    running: boolean;
    pid?: number;
    /** Where the report came from: the running daemon's API (live), or the journal on disk. */
    via?: 'api' | 'journal';
    paused?: boolean;
    drain?: boolean;
    /** Outside every schedule window: new jobs wait until `resumesAt`. */
    scheduleClosed?: boolean;
    resumesAt?: string;
  };
  counts: Partial<Record<JobState, number>>;
  /** Every job not done, and the most recent done ones. */
  jobs: StatusJob[];
  /** Per folder, the files left in the inbox because they are not videos and no rule takes them. */
  ignored?: IgnoredGroup[];
  /** Cluster mode: every node's jobs and the nodes alive, or why Redis could not be read. */
  cluster?: { redis: string } & (ClusterStatus | { error: string });
}

export interface StatusJob {
  id: string;
  folder: string;
  file: string;
  state: JobState;
  percent?: number;
  message?: string;
  output?: string;
  error?: { code: string; message: string; hint?: string };
  /** A failed file's place in `<inbox>/_failed/`, where it was moved (`file` is where it was taken). */
  setAsideTo?: string;
  heldReason?: string;
  attempts: number;
  updatedAt: string;
}

const RECENT_DONE = 20;

/** What `status` needs of a job: a journal record, or the running daemon's view of one. */
export type StatusInput = Pick<
  JobRecord,
  | 'id'
  | 'folder'
  | 'source'
  | 'state'
  | 'percent'
  | 'message'
  | 'output'
  | 'error'
  | 'setAsideTo'
  | 'heldReason'
  | 'attempts'
  | 'createdAt'
  | 'updatedAt'
>;

/**
 * One record per file (folder and source path): a file converted again (`retry`, or a new copy after
 * a failure) has a record per attempt in the journal, and only the latest says where it stands.
 */
export function latestPerFile<T extends StatusInput>(jobs: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const j of jobs) {
    const key = `${j.folder}\0${j.source}`;
    const seen = latest.get(key);
    if (
      !seen ||
      j.createdAt > seen.createdAt ||
      (j.createdAt === seen.createdAt && j.updatedAt > seen.updatedAt)
    )
      latest.set(key, j);
  }
  return [...latest.values()];
}

/** Pure: the journal's records as the report `status` prints or emits as JSON, each file once. */
export function buildStatus(all: StatusInput[], daemon: StatusReport['daemon']): StatusReport {
  const jobs = latestPerFile(all);
  const counts: Partial<Record<JobState, number>> = {};
  for (const j of jobs) counts[j.state] = (counts[j.state] ?? 0) + 1;
  const done = jobs
    .filter((j) => j.state === 'done')
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .slice(0, RECENT_DONE);
  const rest = jobs.filter((j) => j.state !== 'done').sort((a, b) => a.createdAt - b.createdAt);
  return {
    daemon,
    counts,
    jobs: [...rest, ...done].map((j) => ({
      id: j.id,
      folder: j.folder,
      file: j.source,
      state: j.state,
      percent: j.percent,
      message: j.message,
      output: j.output,
      error: j.error,
      setAsideTo: j.state === 'failed' ? j.setAsideTo : undefined,
      heldReason: j.heldReason,
      attempts: j.attempts,
      updatedAt: new Date(j.updatedAt).toISOString(),
    })),
  };
}

/** Readable lines for a terminal. */
export function formatStatus(report: StatusReport): string[] {
  const d = report.daemon;
  const lines = [d.running ? `Daemon running (pid ${d.pid})` : 'Daemon not running'];
  if (d.paused)
    lines.push(
      d.drain
        ? 'Paused: running jobs finish, new ones wait (`video-inbox resume`)'
        : 'Paused: new jobs wait (`video-inbox resume`)',
    );
  else if (d.scheduleClosed)
    lines.push(`Outside the schedule: new jobs wait${d.resumesAt ? ` until ${d.resumesAt}` : ''}`);
  const counts = Object.entries(report.counts).map(([state, n]) => `${n} ${state}`);
  lines.push(counts.length ? `Jobs: ${counts.join(', ')}` : 'No jobs yet');
  for (const j of report.jobs) {
    const pct = j.percent === undefined ? '' : ` ${Math.round(j.percent)}%`;
    const detail =
      j.state === 'failed'
        ? ` — ${j.error?.message ?? 'failed'}${j.error?.hint ? ` (${j.error.hint})` : ''}`
        : j.state === 'done'
          ? j.output
            ? ` → ${j.output}`
            : ''
          : j.message
            ? ` — ${j.message}`
            : '';
    // A failed file set aside is named where it now lies, the path `retry` takes.
    lines.push(`  [${j.state}${pct}] ${j.folder}: ${j.setAsideTo ?? j.file}${detail}`);
  }
  if (report.ignored?.length) lines.push(...formatIgnored(report.ignored));
  if (report.cluster) lines.push(...formatCluster(report.cluster));
  return lines;
}

/** The cluster part of `status`: live nodes, then every job with the node that runs it. */
export function formatCluster(cluster: NonNullable<StatusReport['cluster']>): string[] {
  if ('error' in cluster) return [`Cluster: ${cluster.error}`];
  const nodes = cluster.nodes.map(
    (n) => `${n.node} (pid ${n.pid}, ${n.concurrency} cloud${n.local ? ` + ${n.local} local` : ''})`,
  );
  const lines = [
    `Cluster at ${cluster.redis}: ${nodes.length} node${nodes.length === 1 ? '' : 's'} alive${nodes.length ? `: ${nodes.join(', ')}` : ''}`,
  ];
  if (cluster.cloudPaused) lines.push('  Cloud jobs are paused on every node (out of credits)');
  const counts = new Map<string, number>();
  for (const j of cluster.jobs) counts.set(j.queueState, (counts.get(j.queueState) ?? 0) + 1);
  lines.push(
    counts.size ? `Cluster jobs: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}` : 'No cluster jobs',
  );
  for (const j of cluster.jobs) {
    const pct = j.percent === undefined || j.state === 'done' ? '' : ` ${Math.round(j.percent)}%`;
    const on = j.node ? ` on ${j.node}` : '';
    const detail = j.output ? ` → ${j.output}` : j.error ? ` — ${j.error.message}` : '';
    lines.push(`  [${j.state}${pct}${on}] ${j.folder}: ${j.file}${detail}`);
  }
  return lines;
}

/** The short "ignored" section: per folder a count and the first names (`explain FILE` says why). */
export function formatIgnored(groups: readonly IgnoredGroup[]): string[] {
  return [
    'Ignored (left in the inbox: not a video, and no rule matches):',
    ...groups.map((g) => {
      const more = g.count > g.names.length ? ', …' : '';
      return `  ${g.folder}: ${g.count} file${g.count === 1 ? '' : 's'} (${g.names.join(', ')}${more})`;
    }),
  ];
}
