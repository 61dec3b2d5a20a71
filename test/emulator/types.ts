/** The emulator's public contract, shared with the client's tests. */
export type EndpointName =
  'token' | 'session' | 'upload' | 'sse' | 'state' | 'render-start' | 'render-poll' | 'download' | 'credits';

export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'token',
  'session',
  'upload',
  'sse',
  'state',
  'render-start',
  'render-poll',
  'download',
  'credits',
];

export type Fault =
  | { kind: 'http'; status: number; body?: unknown; retryAfter?: number } // plain HTTP status (400, 401, 402, 429, 500, 502, 503…)
  | { kind: 'envelope'; code: number; status?: number; message?: string } // {"code":N,"msg"|"message":…}, HTTP 200 unless status given
  | { kind: 'reset' } // destroy the socket without answering
  | { kind: 'reset-midway' } // send headers and part of the body, then destroy (downloads, SSE)
  | { kind: 'stall'; ms?: number } // accept and say nothing for ms (default: until the client gives up)
  | { kind: 'redirect'; status?: 301 | 302 | 303 | 307 | 308; to?: string } // answer with a Location: `to`, else back to this same address (default 302)
  | { kind: 'slow'; bytesPerSecond: number } // trickle the body
  | { kind: 'sse-error'; shape?: 'adk' | 'typed' } // the stream reports an agent error, then closes
  | { kind: 'sse-textless' } // force a stream with no text (the draft still changes)
  | { kind: 'sse-noop' } // a stream with no text that leaves the draft unexportable
  | { kind: 'render-fail'; error?: string } // the render ends as failed
  | { kind: 'duplicate-render' }; // render-start answers as for an id already used

export interface EmulatorOptions {
  host?: string; // 127.0.0.1
  port?: number; // 0 = any free port
  workDir?: string; // uploads and renders; default a fresh mkdtemp, removed on close
  credits?: number; // per anonymous account, default 100
  registeredTokens?: string[]; // tokens accepted like a NEMO_TOKEN of a registered account
  textlessRate?: number; // share of SSE streams with no text, default 0.3
  seed?: number; // makes every random choice deterministic
  sseShape?: 'adk' | 'typed' | 'mixed'; // default 'mixed'
  renderShape?: 'wrapped' | 'flat' | 'mixed'; // default 'mixed'
  messageField?: 'message' | 'msg' | 'mixed'; // default 'mixed'
  uploadShape?: 'files' | 'video_infos' | 'mixed'; // default 'mixed'
  authErrorStyle?: 'envelope' | 'http' | 'both' | 'mixed'; // how 1001 is reported; default 'mixed'
  renderPolls?: number; // polls before a render may complete, default 3
  heartbeatMs?: number; // between SSE heartbeats, default 40
  instructionMs?: number; // how long an instruction stream lasts, default 250
  maxUploadBytes?: number; // default 500 MB → 4002 above it
  creditsPerInstruction?: number; // default 1
  renderIndexAtEnd?: boolean; // renders written without +faststart (index after the media), as some exporters do; default false
}

export interface RecordedRequest {
  endpoint: EndpointName | 'other';
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  at: number;
  /** The injected fault this request met, if any (so a test can tell its faults were all hit). */
  fault?: Fault;
}

export interface RenderSummary {
  id: string;
  sessionId: string;
  status: string;
  progress: number;
}

export interface Emulator {
  url: string; // e.g. http://127.0.0.1:41234
  requests: RecordedRequest[];
  count(endpoint: EndpointName): number;
  inject(endpoint: EndpointName, fault: Fault, times?: number): void; // times default 1; Infinity = until cleared
  clearFaults(): void;
  setCredits(available: number): void; // every account
  setRenderPolls(polls: number): void; // from the next poll on, for renders already running too
  expireTokens(): void; // every issued token now answers 1001; new anonymous tokens may be issued
  renders(): RenderSummary[];
  close(): Promise<void>;
}
