import { startEmulator } from './server.js';
import type { Emulator, EmulatorOptions } from './types.js';

/** Options for `npm run emulator`: PORT, HOST, and any EmulatorOptions as JSON in EMULATOR_OPTIONS. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): EmulatorOptions {
  const options = (env.EMULATOR_OPTIONS ? JSON.parse(env.EMULATOR_OPTIONS) : {}) as EmulatorOptions;
  if (env.PORT) options.port = Number(env.PORT);
  if (env.HOST) options.host = env.HOST;
  return options;
}

/** Starts the emulator from the environment and announces its URL: the line scripts wait for. */
export async function runEmulatorMain(
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<Emulator> {
  const emulator = await startEmulator(optionsFromEnv(env));
  print(`NemoVideo emulator listening on ${emulator.url}`);
  return emulator;
}
