import type { Command } from 'commander';
import { clusterStatusOf } from '../app/cluster-backend.js';
import { displayRedisUrl } from '../cluster/redis-connection.js';
import type { Config } from '../config/config.js';
import { isVideoInboxError } from '../core/errors.js';
import { defaultStateDir } from '../core/paths.js';
import { redact } from '../core/secrets.js';
import { loadConfig } from '../config/load-config.js';
import { openJournal } from '../jobs/journal.js';
import { readLockOwner } from '../jobs/lock.js';
import { reportError } from './report-error.js';
import { configPathFrom } from './settings.js';
import { buildStatus, formatStatus } from './status-view.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('Show jobs by state with their progress (works while the daemon runs).')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { config?: string; json?: boolean }) => {
      try {
        const config = await configOf(configPathFrom(opts));
        const stateDir = config?.stateDir ?? defaultStateDir();
        const journal = await openJournal(stateDir, { readOnly: true });
        const owner = await readLockOwner(stateDir);
        const report = buildStatus(
          journal.list(),
          owner ? { running: true, pid: owner.pid } : { running: false },
        );
        await journal.close();
        if (config?.cluster) {
          const redis = displayRedisUrl(config.cluster.redis);
          const cluster = await clusterStatusOf(config.cluster);
          report.cluster = cluster.ok ? { redis, ...cluster.status } : { redis, error: cluster.message };
        }
        if (opts.json) console.log(redact(JSON.stringify(report, null, 2)));
        else for (const line of formatStatus(report)) console.log(redact(line));
      } catch (err) {
        reportError(err);
      }
    });
}

/** A broken config must not hide the jobs: fall back to the default state dir. */
async function configOf(configPath: string): Promise<Config | undefined> {
  try {
    return await loadConfig(configPath, process.env);
  } catch (err) {
    if (isVideoInboxError(err) && err.code === 'CONFIG_INVALID') return undefined;
    throw err;
  }
}
