import { request } from 'undici';
import type { HttpPost } from '../notify/backoff-post.js';

/** The webhook and ntfy channels' HTTP client: one undici POST, its body drained. */
export const undiciPost: HttpPost = async (url, body, headers, timeoutMs) => {
  const res = await request(url, {
    method: 'POST',
    body,
    headers,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  await res.body.dump();
  return { status: res.statusCode };
};
