import type { Command } from 'commander';
import { formatConfigIssue } from '../core/errors.js';
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
