import type { Random } from './random.js';
import type { SseItem } from './sse-script.js';

export type SseShape = 'adk' | 'typed';

export interface StreamIds {
  invocationId: string;
  callId: string;
  toolName: string;
  args: Record<string, unknown>;
  result: Record<string, unknown>;
}

/** One SSE frame for a step, in the stream's shape; heartbeats come in the same three forms for both. */
export function encodeItem(
  item: SseItem,
  shape: SseShape,
  ids: StreamIds,
  random: Random,
): string | undefined {
  switch (item.kind) {
    case 'apply':
      return undefined;
    case 'heartbeat':
      if (item.form === 'comment') return ': still working\n\n';
      if (item.form === 'empty') return 'data:\n\n';
      return data({ type: 'heartbeat' });
    case 'text':
      return shape === 'typed'
        ? data({ type: 'text', content: item.text })
        : data(adk(ids, random, 'model', [{ text: item.text }]));
    case 'tool_call':
      return shape === 'typed'
        ? data({ type: 'tool_call', id: ids.callId, name: ids.toolName, args: ids.args })
        : data(
            adk(ids, random, 'model', [
              { functionCall: { id: ids.callId, name: ids.toolName, args: ids.args } },
            ]),
          );
    case 'tool_result':
      return shape === 'typed'
        ? data({ type: 'tool_result', id: ids.callId, name: ids.toolName, result: ids.result })
        : data(
            adk(ids, random, 'user', [
              { functionResponse: { id: ids.callId, name: ids.toolName, response: ids.result } },
            ]),
          );
    case 'error':
      if (shape === 'typed') return data({ type: 'error', error: item.message });
      // ADK reports failure in either of two ways.
      return random.chance(0.5)
        ? data({ error: item.message })
        : data({
            errorCode: 'AGENT_ERROR',
            errorMessage: item.message,
            author: 'nemo_agent',
            invocationId: ids.invocationId,
          });
  }
}

function data(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function adk(ids: StreamIds, random: Random, role: string, parts: unknown[]): Record<string, unknown> {
  return {
    content: { role, parts },
    author: 'nemo_agent',
    id: `evt_${random.hex(12)}`,
    invocationId: ids.invocationId,
    timestamp: Date.now() / 1000,
  };
}
