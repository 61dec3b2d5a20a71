/** The program: its commands, each loaded only when it runs (see commands.ts). Started by bin.ts. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands.js';

const program = new Command('video-inbox')
  .description('Turns videos dropped into watched folders into shareable MP4s.')
  .version(VERSION)
  // Commander exits 1 on a usage mistake; the README promises 2. Set before the commands are added,
  // so every command inherits it.
  .exitOverride();
// Only the command being run is loaded (see commands.ts): `--version` starts as fast as node itself.
await registerCommands(program, process.argv.slice(2));
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  // --help and --version end here with exit code 0; an unknown command or option, a missing
  // argument or `service` without a subcommand (help shown as an error) with 1, which means usage.
  // (exit-codes.js is loaded only for a mistake, so `--version` stays as light as before.)
  if (err.exitCode !== 0) process.exitCode = (await import('./exit-codes.js')).EXIT.USAGE;
}
