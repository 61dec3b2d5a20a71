import type { Command } from 'commander';
import { access } from 'node:fs/promises';
import { isVideoInboxError, VideoInboxError } from '../core/errors.js';
import { defaultStateDir } from '../core/paths.js';
import { redact } from '../core/secrets.js';
import { loadConfig } from '../config/load-config.js';
import { openJournal } from '../jobs/journal.js';
import { readLockOwner } from '../jobs/lock.js';
import { reportError } from './report-error.js';
import { configPathFrom } from './settings.js';
import { configFlag } from './shell-word.js';
import { ignoredFiles } from './status-ignored.js';
import { buildStatus, formatStatus, type StatusReport } from './status-view.js';
import type { JobView } from '../events/events.js';
import type { PauseView } from '../http/control.js';
import { readPauseState } from '../schedule/pause-flag.js';
import { findDaemon } from './daemon-client.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('Show jobs by state with their progress (works while the daemon runs).')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { config?: string; json?: boolean }) => {
      try {
        const stateDir = await stateDirOf(configPathFrom(opts), named(opts));
        const report = (await liveStatus(stateDir)) ?? (await journalStatus(stateDir));
        await addCluster(report, configPathFrom(opts));
        await addIgnored(report, configPathFrom(opts));
        if (opts.json) console.log(redact(JSON.stringify(report, null, 2)));
        else for (const line of formatStatus(report)) console.log(redact(line));
      } catch (err) {
        reportError(err);
      }
    });
}

/** The running daemon's own view (live progress, pause and schedule), when it has its API on. */
async function liveStatus(stateDir: string): Promise<StatusReport | undefined> {
  const daemon = await findDaemon(stateDir);
  if (!daemon) return undefined;
  try {
    const [list, state] = await Promise.all([
      daemon.get<{ jobs: JobView[] }>('/api/jobs?limit=500'),
      daemon.get<PauseView>('/api/state'),
    ]);
    return buildStatus(list.jobs, {
      running: true,
      pid: daemon.pid,
      via: 'api',
      paused: state.paused,
      drain: state.drain,
      scheduleClosed: state.scheduleClosed,
      ...(state.resumesAt ? { resumesAt: state.resumesAt } : {}),
    });
  } catch {
    return undefined;
  }
}

async function journalStatus(stateDir: string): Promise<StatusReport> {
  const journal = await openJournal(stateDir, { readOnly: true });
  const owner = await readLockOwner(stateDir);
  const pause = await readPauseState(stateDir);
  const report = buildStatus(journal.list(), {
    ...(owner ? { running: true, pid: owner.pid } : { running: false }),
    via: 'journal',
    ...(pause.paused ? { paused: true, drain: pause.drain } : {}),
  });
  await journal.close();
  return report;
}

/** Whether the person named a config (--config or $VIDEO_INBOX_CONFIG) rather than relying on the default. */
function named(opts: { config?: string }): boolean {
  return opts.config !== undefined || Boolean(process.env.VIDEO_INBOX_CONFIG);
}

/**
 * The state dir whose jobs to show. A config that was named but does not exist is a mistake (exit 2),
 * never a reason to show some other state dir. A config with errors must not hide the jobs: the
 * default state dir is shown, and the person is told so.
 */
async function stateDirOf(configPath: string, wasNamed: boolean): Promise<string> {
  // Only a config that is not there is missing; one that cannot be read is reported by loadConfig.
  const exists = await access(configPath).then(
    () => true,
    (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
  );
  if (!exists && wasNamed) {
    throw new VideoInboxError('CONFIG_INVALID', `The config ${configPath} does not exist`, {
      hint: 'Check the path given to --config (or $VIDEO_INBOX_CONFIG), or create one with `video-inbox init`.',
    });
  }
  if (!exists) {
    // Not a mistake (jobs can still be shown), but nothing will run until there is a config.
    console.error(
      `video-inbox: no config at ${configPath} yet; create one with \`video-inbox init\` (showing the jobs in ${defaultStateDir()}).`,
    );
    return defaultStateDir();
  }
  try {
    return (await loadConfig(configPath, process.env)).stateDir;
  } catch (err) {
    if (isVideoInboxError(err) && err.code === 'CONFIG_INVALID') {
      const fallback = defaultStateDir();
      console.error(
        `video-inbox: ${configPath} has errors (run \`video-inbox validate${configFlag(wasNamed ? configPath : undefined)}\`); showing the jobs in ${fallback}.`,
      );
      return fallback;
    }
    throw err;
  }
}

/** Cluster mode: the nodes alive and the cluster-wide jobs, from Redis (or why Redis did not answer). */
async function addCluster(report: StatusReport, configPath: string): Promise<void> {
  const cluster = await loadConfig(configPath, process.env).then(
    (c) => c.cluster,
    () => undefined,
  );
  if (!cluster) return;
  // Loaded only in cluster mode: Redis and BullMQ are heavy for a plain `status`.
  const { clusterStatusOf } = await import('../app/cluster-backend.js');
  const { displayRedisUrl } = await import('../cluster/redis-connection.js');
  const redis = displayRedisUrl(cluster.redis);
  const status = await clusterStatusOf(cluster);
  report.cluster = status.ok ? { redis, ...status.status } : { redis, error: status.message };
}

/** The files each inbox holds that the daemon leaves alone (not videos, no rule takes them). */
async function addIgnored(report: StatusReport, configPath: string): Promise<void> {
  const config = await loadConfig(configPath, process.env).catch(() => undefined);
  if (!config) return;
  const ignored = await ignoredFiles(config);
  if (ignored.length > 0) report.ignored = ignored;
}
