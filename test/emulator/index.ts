export { startEmulator } from './server.js';
export type {
  Emulator,
  EmulatorOptions,
  EndpointName,
  Fault,
  RecordedRequest,
  RenderSummary,
} from './types.js';
export { ENDPOINT_NAMES } from './types.js';
export { optionsFromEnv, runEmulatorMain } from './main-run.js';
