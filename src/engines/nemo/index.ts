export { createNemoEngine, type NemoEngine, type NemoEngineOptions } from './nemo-engine.js';
export { NemoClient, type CallOptions } from './client.js';
export { resolveSettings, type NemoSettings } from './settings.js';
export {
  DEFAULT_BASE_URL,
  DEFAULT_SKILL,
  DEFAULT_REGISTRATION_URL,
  DEFAULT_RETRY,
  ACCEPTED_FORMATS,
  type NemoClientOptions,
  type RetrySettings,
} from './options.js';
export type { Credits, RenderInfo, SessionInfo, UploadedFile } from './envelope.js';
export type { SessionState } from './draft.js';
export { isExportable } from './draft.js';
export type { InstructionOutcome } from './sse-stream.js';
export { CredentialsStore, CREDENTIALS_FILE, type StoredCredentials } from './credentials-store.js';
