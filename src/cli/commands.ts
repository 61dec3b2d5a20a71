import type { Command } from 'commander';
import { register as registerInit } from './init.js';
import { register as registerService } from './service.js';

/** Each command lives in its own file and adds itself here. */
export function registerCommands(program: Command): void {
  registerInit(program);
  registerService(program);
}
