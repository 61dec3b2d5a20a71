import { startEmulator } from './server.js';
import type { Emulator, EmulatorOptions } from './types.js';

/** Options for `npm run emulator`: PORT, EMULATOR_HOST, and any EmulatorOptions as JSON in EMULATOR_OPTIONS. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): EmulatorOptions {
  const options = (env.EMULATOR_OPTIONS ? JSON.parse(env.EMULATOR_OPTIONS) : {}) as EmulatorOptions;
  if (env.PORT) options.port = Number(env.PORT);
  // Not HOST: many shells set it to the machine's name, which would leave loopback.
  if (env.EMULATOR_HOST) options.host = env.EMULATOR_HOST;
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
