import { handleToken } from './auth.js';
import type { Exchange } from './context.js';
import { handleCdnUpload } from './cdn.js';
import { handleCredits } from './credits.js';
import { handleDownload } from './download.js';
import { handleRenderPoll, handleRenderStart } from './render.js';
import { handleSession, handleState } from './sessions.js';
import { handleSse } from './sse.js';
import type { Route } from './router.js';
import type { EndpointName } from './types.js';
import { handleUpload } from './upload.js';

export type Handler = (ex: Exchange) => Promise<void>;

export const HANDLERS: Partial<Record<EndpointName, Handler>> = {
  token: handleToken,
  session: handleSession,
  state: handleState,
  credits: handleCredits,
  upload: handleUpload,
  sse: handleSse,
  'render-start': handleRenderStart,
  'render-poll': handleRenderPoll,
  download: handleDownload,
};

/** Routes outside the documented API, served for convenience (the CDN copy of an upload). */
export const OTHER_HANDLERS: Record<NonNullable<Route['name']>, Handler> = {
  'cdn-upload': handleCdnUpload,
};
