import type { Command } from 'commander';
import { cliCommand } from '../core/cli-command.js';
import { loadConfig } from '../config/load-config.js';
import type { PauseView } from '../http/control.js';
import { requireDaemon } from './daemon-client.js';
import { reportError } from './report-error.js';
import { configPathFrom } from './settings.js';

/** `pause [--drain]` and `resume`: ask the running daemon through its API (the pause survives restarts). */
export function register(program: Command): void {
  program
    .command('pause')
    .description('Stop starting new jobs; running jobs stop at their checkpoint (or finish, with --drain).')
    .option('--drain', 'let running jobs finish first')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string; drain?: boolean }) => {
      try {
        const daemon = await requireDaemon(
          (await loadConfig(configPathFrom(opts), process.env)).stateDir,
          opts.config,
        );
        const state = await daemon.post<PauseView>('/api/pause', { drain: opts.drain === true });
        console.log(
          state.drain
            ? `Paused: ${state.running} running job(s) finish, ${state.waiting} wait. Resume with \`${cliCommand('resume', opts.config)}\`.`
            : `Paused: running jobs stopped at their checkpoint, ${state.waiting} wait. Resume with \`${cliCommand('resume', opts.config)}\`.`,
        );
      } catch (err) {
        reportError(err);
      }
    });
  program
    .command('resume')
    .description('Start jobs again after `pause`.')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      try {
        const daemon = await requireDaemon(
          (await loadConfig(configPathFrom(opts), process.env)).stateDir,
          opts.config,
        );
        const state = await daemon.post<PauseView>('/api/resume');
        console.log(
          state.scheduleClosed
            ? `Resumed, but outside the schedule: new jobs start ${state.resumesAt ? `at ${state.resumesAt}` : 'in the next window'}.`
            : 'Resumed.',
        );
      } catch (err) {
        reportError(err);
      }
    });
}
