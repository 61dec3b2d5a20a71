import type { Command } from 'commander';
import { realPorts } from '../app/ports.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { validateAll } from '../config/validate-all.js';
import { EXIT } from './exit-codes.js';
import { reportError } from './report-error.js';
import { withConfigFlag } from '../core/cli-command.js';
import { configPathFrom, loadEnvFile, printedConfigOf } from './settings.js';
import { ensureStarterConfig } from './first-run.js';
import { configFlag } from './shell-word.js';

/** SIGTERM must end the process within this, whatever a job is doing (systemd waits 10 s+). */
const HARD_STOP_MS = 9500;

export function register(program: Command): void {
  program
    .command('start')
    .description('Watch the inboxes and convert every video dropped there (runs in the foreground).')
    .option(
      '-c, --config <file>',
      'config file (default: $VIDEO_INBOX_CONFIG or ~/.config/video-inbox/config.yaml)',
    )
    .option('--env-file <file>', 'load KEY=VALUE lines (e.g. NEMO_TOKEN) before starting')
    .action(async (opts: { config?: string; envFile?: string }) => {
      const printedConfig = printedConfigOf(opts);
      const log = createLogger({ rewrite: (text) => withConfigFlag(text, printedConfig) });
      // Handlers go in before anything starts: a SIGTERM during start-up must stop cleanly too.
      let requested: NodeJS.Signals | undefined;
      let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
        requested = signal;
      };
      const handler = (signal: NodeJS.Signals) => onSignal(signal);
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
      try {
        await loadEnvFile(opts.envFile);
        await ensureStarterConfig(opts.config, process.env, (line) => console.error(line));
        // A rule file that is missing or broken at start has no "last good version" to fall back on:
        // refuse to start, as `validate` would, instead of watching folders that convert nothing.
        const issues = await validateAll(configPathFrom(opts), process.env);
        if (issues.length > 0) {
          const flag = configFlag(opts.config);
          throw new ConfigError(issues, {
            hint: `Nothing was started. Fix the files at the positions shown (\`video-inbox validate${flag}\` checks them), then run \`video-inbox start${flag}\` again.`,
          });
        }
        // Loaded here, not at the top: the daemon (HTTP server, metrics) is heavy for every other command.
        const { startDaemon } = await import('../daemon/daemon.js');
        const daemon = await startDaemon({
          configPath: configPathFrom(opts),
          ports: realPorts({ env: process.env, log, printedConfig }),
        });
        await new Promise<void>((resolve) => {
          onSignal = (signal) => {
            log.info(
              { signal },
              'Stopping: no new files; running jobs checkpoint and resume at the next start',
            );
            const hard = setTimeout(() => {
              log.warn('Jobs did not stop in time; exiting anyway (the journal resumes them)');
              process.exit(EXIT.OK);
            }, HARD_STOP_MS);
            hard.unref();
            daemon.stop().then(resolve, (err: unknown) => {
              reportError(err);
              resolve();
            });
          };
          if (requested) onSignal(requested);
        });
      } catch (err) {
        reportError(err);
      } finally {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      }
    });
}
