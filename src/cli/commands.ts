import type { Command } from 'commander';
import { register as registerConvert } from './convert.js';
import { register as registerCredits } from './credits.js';
import { register as registerExplain } from './explain.js';
import { register as registerInit } from './init.js';
import { register as registerOpen } from './open.js';
import { register as registerPause } from './pause.js';
import { register as registerRetry } from './retry.js';
import { register as registerService } from './service.js';
import { register as registerStart } from './start.js';
import { register as registerStatus } from './status.js';
import { register as registerValidate } from './validate.js';

/** Each command lives in its own file and adds itself here. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerConvert(program);
  registerStatus(program);
  registerValidate(program);
  registerExplain(program);
  registerRetry(program);
  registerCredits(program);
  registerInit(program);
  registerService(program);
  registerPause(program);
  registerOpen(program);
}
