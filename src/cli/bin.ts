#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands.js';

const program = new Command('video-inbox')
  .description('Turns videos dropped into watched folders into shareable MP4s.')
  .version(VERSION);
registerCommands(program);
await program.parseAsync(process.argv);
