import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { requireDaemon } from './daemon-client.js';
import { reportError } from './report-error.js';
import { configPathFrom } from './settings.js';

/**
 * `open`: prints a one-time sign-in link to the running daemon's page. The link works once, within
 * five minutes, and sets a session cookie in that browser; the API key itself never reaches the page.
 */
export function register(program: Command): void {
  program
    .command('open')
    .description('Print a one-time link that signs this browser in to the status page.')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      try {
        const daemon = await requireDaemon(
          (await loadConfig(configPathFrom(opts), process.env)).stateDir,
          opts.config,
        );
        const link = await daemon.post<{ path: string; expiresInSeconds: number }>('/api/session/link');
        console.log(`${daemon.url}${link.path}`);
        console.error(
          `Open it in a browser within ${Math.round(link.expiresInSeconds / 60)} minutes; it works once.`,
        );
      } catch (err) {
        reportError(err);
      }
    });
}
