import { handleToken } from './auth.js';
import type { Exchange } from './context.js';
import { handleCredits } from './credits.js';
import { handleSession, handleState } from './sessions.js';
import type { EndpointName } from './types.js';

export type Handler = (ex: Exchange) => Promise<void>;

export const HANDLERS: Partial<Record<EndpointName, Handler>> = {
  token: handleToken,
  session: handleSession,
  state: handleState,
  credits: handleCredits,
};
