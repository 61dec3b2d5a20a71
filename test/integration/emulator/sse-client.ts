import type { Emulator } from '../../emulator/index.js';
import { ATTRIBUTION, type Json } from './client.js';

export interface Frame {
  comment?: string;
  data?: string;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  frames: Frame[];
  /** JSON-parsed non-empty data lines. */
  events: Json[];
  /** Set when the body ended in a network error (a reset). */
  error?: unknown;
  /** The JSON answer when the emulator refused with JSON instead of a stream. */
  json?: Json;
}

export function runSse(
  em: Emulator,
  token: string,
  sid: string,
  text = 'convert this video to MP4 at 1080p',
): Promise<SseResult> {
  return postSse(em, token, {
    app_name: 'nemo_agent',
    user_id: 'me',
    session_id: sid,
    new_message: { parts: [{ text }] },
  });
}

/** Reads the raw stream so the three heartbeat forms stay visible (a parser would hide them). */
export async function postSse(
  em: Emulator,
  token: string,
  body: unknown,
  onFirstChunk?: () => Promise<void>,
): Promise<SseResult> {
  const res = await fetch(`${em.url}/run_sse`, {
    method: 'POST',
    headers: {
      ...ATTRIBUTION,
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const contentType = res.headers.get('content-type');
  if (!contentType?.startsWith('text/event-stream'))
    return { status: res.status, contentType, frames: [], events: [], json: await res.json() };
  let raw = '';
  let error: unknown;
  const decoder = new TextDecoder();
  try {
    let first = true;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      raw += decoder.decode(chunk, { stream: true });
      if (first && onFirstChunk) await onFirstChunk();
      first = false;
    }
  } catch (err) {
    error = err;
  }
  const frames = raw
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block): Frame =>
      block.startsWith(':') ? { comment: block.slice(1).trim() } : { data: block.replace(/^data: ?/, '') },
    );
  const events = frames.filter((f) => f.data).map((f) => JSON.parse(f.data as string));
  return { status: res.status, contentType, frames, events, error };
}

/** The text an event carries, in either documented shape. */
export function textOf(event: Json): string | undefined {
  if (event.type === 'text') return event.content;
  return (
    event.content?.parts
      ?.map((p: Json) => p.text)
      .filter(Boolean)
      .join('') || undefined
  );
}
