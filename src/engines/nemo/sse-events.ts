import { isObject, type Json } from './envelope.js';

/** One thing the agent said in a `run_sse` stream, whichever of the two documented shapes it used. */
export type AgentEvent =
  | { kind: 'text'; text: string }
  | { kind: 'tool_call'; name: string }
  | { kind: 'tool_result'; name?: string }
  | { kind: 'heartbeat' }
  | { kind: 'error'; message: string; code?: string }
  | { kind: 'unknown' };

/**
 * Interprets the `data` of one SSE event. Empty data and comments are heartbeats; text that is not
 * JSON is plain agent text; ADK events may carry several parts, hence the array.
 */
export function interpretSseData(data: string): AgentEvent[] {
  const trimmed = data.trim();
  if (trimmed === '') return [{ kind: 'heartbeat' }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return [{ kind: 'text', text: trimmed }];
  }
  if (!isObject(parsed)) return [{ kind: 'unknown' }];
  return interpretObject(parsed);
}

function interpretObject(event: Json): AgentEvent[] {
  const failure = errorOf(event);
  if (failure) return [failure];
  if (typeof event.type === 'string') return [typed(event)];
  const content = event.content;
  if (isObject(content) && Array.isArray(content.parts)) {
    // The user's own message may be echoed back; only the model speaks to us.
    if (content.role === 'user') return [{ kind: 'unknown' }];
    const events = content.parts.map(part);
    return events.length ? events : [{ kind: 'heartbeat' }];
  }
  return [{ kind: 'unknown' }];
}

function errorOf(event: Json): AgentEvent | undefined {
  const err = event.error ?? event.errorMessage;
  const code = event.errorCode;
  if (err === undefined && code === undefined) return undefined;
  if (err === null && (code === undefined || code === null)) return undefined;
  const message =
    typeof err === 'string'
      ? err
      : isObject(err) && typeof err.message === 'string'
        ? err.message
        : 'agent error';
  return {
    kind: 'error',
    message: event.type === 'error' && typeof event.content === 'string' ? event.content : message,
    code: code === undefined || code === null ? undefined : String(code),
  };
}

function typed(event: Json): AgentEvent {
  switch (event.type) {
    case 'text': {
      const text =
        typeof event.content === 'string' ? event.content : typeof event.text === 'string' ? event.text : '';
      return text.trim() ? { kind: 'text', text } : { kind: 'heartbeat' };
    }
    case 'tool_call':
      return { kind: 'tool_call', name: nameOf(event) };
    case 'tool_result':
      return { kind: 'tool_result', name: typeof event.name === 'string' ? event.name : undefined };
    case 'heartbeat':
    case 'ping':
      return { kind: 'heartbeat' };
    case 'error':
      return { kind: 'error', message: typeof event.content === 'string' ? event.content : 'agent error' };
    default:
      return { kind: 'unknown' };
  }
}

function part(p: unknown): AgentEvent {
  if (!isObject(p)) return { kind: 'unknown' };
  if (typeof p.text === 'string')
    return p.text.trim() ? { kind: 'text', text: p.text } : { kind: 'heartbeat' };
  if (isObject(p.functionCall)) return { kind: 'tool_call', name: nameOf(p.functionCall) };
  if (isObject(p.functionResponse)) {
    const name = p.functionResponse.name;
    return { kind: 'tool_result', name: typeof name === 'string' ? name : undefined };
  }
  return { kind: 'unknown' };
}

function nameOf(o: Json): string {
  return typeof o.name === 'string' ? o.name : 'tool';
}
