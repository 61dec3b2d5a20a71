import type { Command } from 'commander';
import { access } from 'node:fs/promises';
import { createLogger } from '../core/logger.js';
import { loadConfig } from '../config/load-config.js';
import { realPorts } from '../app/ports.js';
import { reportError } from './report-error.js';
import { configPathFrom, loadEnvFile } from './settings.js';

export function register(program: Command): void {
  program
    .command('credits')
    .description('Show the NemoVideo credit balance of the token in use.')
    .option('-c, --config <file>', 'config file')
    .option('--env-file <file>', 'load KEY=VALUE lines (e.g. NEMO_TOKEN) first')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; envFile?: string; json?: boolean }) => {
      try {
        await loadEnvFile(opts.envFile);
        const path = configPathFrom(opts);
        const exists = await access(path).then(
          () => true,
          () => false,
        );
        const config = exists || opts.config ? await loadConfig(path, process.env) : undefined;
        const log = createLogger({ level: 'warn', destination: process.stderr });
        const nemo = realPorts({ env: process.env, log }).nemo(config);
        const client = nemo.engine.client;
        const credits = await client.credits().finally(() => nemo.close());
        if (opts.json) console.log(JSON.stringify(credits));
        else {
          console.log(`Available: ${credits.available}  Frozen: ${credits.frozen}  Total: ${credits.total}`);
          if (client.tokens.anonymous)
            console.log(
              'This is an anonymous account (100 free credits for 7 days). Set NEMO_TOKEN to use your own.',
            );
        }
      } catch (err) {
        reportError(err, undefined, 'one-shot');
      }
    });
}
