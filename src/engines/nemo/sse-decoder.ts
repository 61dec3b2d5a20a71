import { createParser } from 'eventsource-parser';
import { interpretSseData, type AgentEvent } from './sse-events.js';

/**
 * Turns raw `run_sse` bytes, in chunks split anywhere, into agent events. Comments (`: …`) and empty
 * `data:` lines are heartbeats: they say "still working" and nothing else.
 */
export function createSseDecoder(onEvent: (event: AgentEvent) => void): {
  push(chunk: Uint8Array | string): void;
  end(): void;
} {
  const parser = createParser({
    onEvent: (e) => interpretSseData(e.data).forEach(onEvent),
    onComment: () => onEvent({ kind: 'heartbeat' }),
  });
  const decoder = new TextDecoder();
  return {
    push: (chunk) => parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })),
    end: () => {
      parser.feed(decoder.decode());
      // A last event without its blank line still counts.
      parser.feed('\n\n');
    },
  };
}
