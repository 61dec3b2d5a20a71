import { describe, expect, it } from 'vitest';
import { createSseDecoder } from '../../../src/engines/nemo/sse-decoder.js';
import type { AgentEvent } from '../../../src/engines/nemo/sse-events.js';

const ADK_TRANSCRIPT = [
  ': keep-alive',
  '',
  'data:',
  '',
  'data: {"type":"heartbeat"}',
  '',
  'data: {"content":{"role":"model","parts":[{"functionCall":{"id":"c1","name":"edit_timeline","args":{"x":1}}}]},"author":"nemo_agent"}',
  '',
  'data: {"content":{"role":"model","parts":[{"functionResponse":{"id":"c1","name":"edit_timeline","response":{"ok":true}}}]}}',
  '',
  'data: {"content":{"role":"model","parts":[{"text":"Converted to 1080p. Click Export to download."}]}}',
  '',
  'data: {"type":"text","content":"tail without a blank line"}',
].join('\n');

function decodeAll(chunks: string[]): AgentEvent[] {
  const events: AgentEvent[] = [];
  const d = createSseDecoder((e) => events.push(e));
  for (const c of chunks) d.push(Buffer.from(c, 'utf8'));
  d.end();
  return events;
}

describe('createSseDecoder', () => {
  const expected: AgentEvent[] = [
    { kind: 'heartbeat' },
    { kind: 'heartbeat' },
    { kind: 'heartbeat' },
    { kind: 'tool_call', name: 'edit_timeline' },
    { kind: 'tool_result', name: 'edit_timeline' },
    { kind: 'text', text: 'Converted to 1080p. Click Export to download.' },
    { kind: 'text', text: 'tail without a blank line' },
  ];

  it('reads comments, empty data lines and typed heartbeats as heartbeats, and every ADK part', () => {
    expect(decodeAll([ADK_TRANSCRIPT])).toEqual(expected);
  });

  it('gives the same events however the bytes are split', () => {
    const bytes = Buffer.from(ADK_TRANSCRIPT, 'utf8');
    for (const size of [1, 2, 7, 64]) {
      const chunks: string[] = [];
      for (let i = 0; i < bytes.length; i += size)
        chunks.push(bytes.subarray(i, i + size).toString('latin1'));
      const events: AgentEvent[] = [];
      const d = createSseDecoder((e) => events.push(e));
      for (const c of chunks) d.push(Buffer.from(c, 'latin1'));
      d.end();
      expect(events).toEqual(expected);
    }
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('data: {"type":"text","content":"已转换 ✓"}\n\n', 'utf8');
    const events: AgentEvent[] = [];
    const d = createSseDecoder((e) => events.push(e));
    for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1));
    d.end();
    expect(events).toEqual([{ kind: 'text', text: '已转换 ✓' }]);
  });

  it('joins multi-line data and handles CRLF', () => {
    expect(decodeAll(['data: {"type":"text",\r\ndata: "content":"two lines"}\r\n\r\n'])).toEqual([
      { kind: 'text', text: 'two lines' },
    ]);
  });
});
