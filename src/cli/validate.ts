import type { Command } from 'commander';
import { formatConfigIssue } from '../core/errors.js';
import { loadConfig } from '../config/load-config.js';
import { validateAll } from '../config/validate-all.js';
import { EXIT } from './exit-codes.js';
import { configPathFrom, loadEnvFile } from './settings.js';
import { reportError } from './report-error.js';
import { configFlag } from './shell-word.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('Check the config and every rule file it names; print each problem as file:line:column.')
    .option('-c, --config <file>', 'config file')
    .option('--env-file <file>', 'load KEY=VALUE lines before checking')
    .action(async (opts: { config?: string; envFile?: string }) => {
      try {
        await loadEnvFile(opts.envFile);
        const path = configPathFrom(opts);
        const issues = await validateAll(path, process.env);
        if (issues.length === 0) {
          console.log(`OK: ${path} and its rule files are valid.`);
          const { cluster } = await loadConfig(path, process.env);
          if (!cluster) return;
          // ioredis only for a cluster config: a single host's validate does not pay for loading it.
          const { checkRedis } = await import('../app/check-redis.js');
          const { displayRedisUrl } = await import('../cluster/redis-connection.js');
          const redis = await checkRedis(cluster);
          if (!redis.ok) {
            console.error(`${redis.message}\n${redis.hint}`);
            process.exitCode = EXIT.USAGE;
            return;
          }
          console.log(
            `OK: Redis ${redis.version} at ${displayRedisUrl(cluster.redis)} answers (node ${cluster.node}).`,
          );
          if (redis.evictionPolicy !== undefined && redis.evictionPolicy !== 'noeviction')
            console.error(
              `Warning: Redis maxmemory-policy is ${redis.evictionPolicy}; BullMQ needs noeviction (docs/SCALING.md).`,
            );
          if (redis.appendonly !== undefined && redis.appendonly !== 'yes')
            console.error(
              'Warning: Redis appendonly is off; a Redis restart may lose queued jobs (docs/SCALING.md).',
            );
          return;
        }
        for (const issue of issues) console.error(formatConfigIssue(issue));
        console.error(
          `${issues.length} problem(s) found. Fix them and run \`video-inbox validate${configFlag(opts.config)}\` again.`,
        );
        process.exitCode = EXIT.USAGE;
      } catch (err) {
        reportError(err);
      }
    });
}
