import { request } from 'undici';

export interface PostResult {
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
}

export interface PostOptions {
  attempts?: number;
  /** First delay between attempts; doubles each time. */
  baseDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** POSTs a body, retrying network errors, 429 and 5xx with a doubling delay. Never throws. */
export async function postWithBackoff(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: PostOptions = {},
): Promise<PostResult> {
  const attempts = opts.attempts ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  let last: PostResult = { ok: false, attempts: 0 };
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await request(url, {
        method: 'POST',
        body,
        headers,
        headersTimeout: opts.timeoutMs ?? 10_000,
        bodyTimeout: opts.timeoutMs ?? 10_000,
      });
      await res.body.dump();
      if (res.statusCode < 300) return { ok: true, status: res.statusCode, attempts: i };
      last = { ok: false, status: res.statusCode, attempts: i, error: `HTTP ${res.statusCode}` };
      if (res.statusCode < 500 && res.statusCode !== 429) return last;
    } catch (err) {
      last = { ok: false, attempts: i, error: (err as Error).message };
    }
    if (i < attempts) await sleep((opts.baseDelayMs ?? 1000) * 2 ** (i - 1));
  }
  return last;
}
