export interface PostResult {
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
}

/** One POST over the network, as a port (the undici adapter is built in the composition root). */
export type HttpPost = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<{ status: number }>;

export interface PostOptions {
  send: HttpPost;
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
  opts: PostOptions,
): Promise<PostResult> {
  const attempts = opts.attempts ?? 5;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  let last: PostResult = { ok: false, attempts: 0 };
  for (let i = 1; i <= attempts; i++) {
    try {
      const { status } = await opts.send(url, body, headers, opts.timeoutMs ?? 10_000);
      if (status < 300) return { ok: true, status, attempts: i };
      last = { ok: false, status, attempts: i, error: `HTTP ${status}` };
      if (status < 500 && status !== 429) return last;
    } catch (err) {
      last = { ok: false, attempts: i, error: (err as Error).message };
    }
    if (i < attempts) await sleep((opts.baseDelayMs ?? 1000) * 2 ** (i - 1));
  }
  return last;
}
