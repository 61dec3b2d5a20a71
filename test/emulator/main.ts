/**
 * `npm run emulator`: one emulator on PORT (default any free port), for manual runs and for tests in
 * other processes, which drive it through the /__emulator/ control endpoints.
 * EMULATOR_OPTIONS may hold any EmulatorOptions as JSON (e.g. '{"seed":1,"renderPolls":1}').
 */
import { runEmulatorMain } from './main-run.js';

const emulator = await runEmulatorMain(process.env, (line) => console.log(line));

const stop = (): void => {
  emulator.close().then(
    () => (process.exitCode = 0),
    (err: unknown) => {
      console.error('Emulator did not close cleanly:', err);
      process.exitCode = 1;
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
