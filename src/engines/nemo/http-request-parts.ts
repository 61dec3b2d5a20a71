/**
 * The time limit of one request: aborts `signal` with a TimeoutError once `timeoutMs` passes without
 * being re-armed (an upload re-arms it with every chunk sent, so only silence counts).
 */
export interface Watchdog {
  readonly signal: AbortSignal;
  arm(): void;
  release(): void;
}

export function watchdog(endpoint: string, timeoutMs: number): Watchdog {
  const timer = new AbortController();
  const timeout = new TimeoutError(endpoint, timeoutMs);
  let handle: NodeJS.Timeout | undefined;
  const dog: Watchdog = {
    signal: timer.signal,
    arm: () => {
      clearTimeout(handle);
      handle = setTimeout(() => timer.abort(timeout), timeoutMs);
    },
    release: () => clearTimeout(handle),
  };
  dog.arm();
  return dog;
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'TIMEOUT';
  constructor(endpoint: string, ms: number) {
    super(`${endpoint} timed out after ${ms} ms`);
  }
}

/** The request body as JSON text, with its content header; stream bodies go through bulk-transport. */
export function requestBody(call: { json?: unknown }, headers: Record<string, string>): string | undefined {
  if (call.json === undefined) return undefined;
  headers['Content-Type'] = 'application/json';
  return JSON.stringify(call.json);
}

/** Reads a whole (small) answer body as UTF-8 text. */
export async function readText(body: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
