#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands.js';

const program = new Command('video-inbox')
  .description('Turns videos dropped into watched folders into shareable MP4s.')
  .version(VERSION);
// Only the command being run is loaded (see commands.ts): `--version` starts as fast as node itself.
await registerCommands(program, process.argv.slice(2));
await program.parseAsync(process.argv);
