import { describe, expect, it } from 'vitest';
import { interpretSseData } from '../../../src/engines/nemo/sse-events.js';
import { describeTool, translateAgentText } from '../../../src/engines/nemo/agent-text.js';

describe('interpretSseData', () => {
  it.each([
    ['empty data (heartbeat)', '', [{ kind: 'heartbeat' }]],
    ['typed heartbeat', '{"type":"heartbeat"}', [{ kind: 'heartbeat' }]],
    ['typed text', '{"type":"text","content":"Trimming now"}', [{ kind: 'text', text: 'Trimming now' }]],
    [
      'typed tool call',
      '{"type":"tool_call","name":"trim_video","args":{"s":1}}',
      [{ kind: 'tool_call', name: 'trim_video' }],
    ],
    [
      'typed tool result',
      '{"type":"tool_result","name":"trim_video","result":{}}',
      [{ kind: 'tool_result', name: 'trim_video' }],
    ],
    ['typed error', '{"type":"error","content":"quota"}', [{ kind: 'error', message: 'quota' }]],
    [
      'ADK text',
      '{"content":{"role":"model","parts":[{"text":"Done!"}]},"author":"nemo_agent"}',
      [{ kind: 'text', text: 'Done!' }],
    ],
    [
      'ADK several parts',
      '{"content":{"role":"model","parts":[{"functionCall":{"id":"1","name":"convert","args":{}}},{"functionResponse":{"id":"1","name":"convert","response":{}}},{"text":"ok"}]}}',
      [
        { kind: 'tool_call', name: 'convert' },
        { kind: 'tool_result', name: 'convert' },
        { kind: 'text', text: 'ok' },
      ],
    ],
    [
      'ADK error string',
      '{"error":"model overloaded"}',
      [{ kind: 'error', message: 'model overloaded', code: undefined }],
    ],
    [
      'ADK errorCode/errorMessage',
      '{"errorCode":"MALFORMED","errorMessage":"bad call","content":null}',
      [{ kind: 'error', message: 'bad call', code: 'MALFORMED' }],
    ],
    ['a user echo', '{"content":{"role":"user","parts":[{"text":"convert"}]}}', [{ kind: 'unknown' }]],
    ['plain text', 'hello there', [{ kind: 'text', text: 'hello there' }]],
    [
      'whitespace-only text part',
      '{"content":{"role":"model","parts":[{"text":"  "}]}}',
      [{ kind: 'heartbeat' }],
    ],
    ['an unknown type', '{"type":"progress","value":3}', [{ kind: 'unknown' }]],
  ])('%s', (_name, data, expected) => {
    expect(interpretSseData(data)).toEqual(expected);
  });
});

describe('translateAgentText', () => {
  it.each([
    ['Click the Export button to download your video.', 'The export starts automatically.'],
    [
      'Your video is ready! Click **Export** in the top right corner to render it.',
      'Your video is ready! The export starts automatically.',
    ],
    ['Open the Timeline panel to review the changes, then click Export.', 'The export starts automatically.'],
    ['Converted to 1080p. Drag the clip on the timeline to adjust it.', 'Converted to 1080p.'],
    ['完成。请点击导出按钮。', '完成。 The export starts automatically.'],
    ['Press the Apply button.', undefined],
    [
      "I've converted old.avi to MP4. Click Export.",
      "I've converted old.avi to MP4. The export starts automatically.",
    ],
  ])('translates GUI speak in %j', (text, expected) => {
    expect(translateAgentText(text)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(translateAgentText('Converted to 1080p MP4. Audio kept as AAC.')).toBe(
      'Converted to 1080p MP4. Audio kept as AAC.',
    );
  });

  it.each([['{"draft":{"t":[]}}'], ['[1,2,3]'], ['```json\n{"a":1}\n```']])(
    'never shows raw JSON: %j',
    (text) => {
      expect(translateAgentText(text)).toBeUndefined();
    },
  );

  it('describes tools readably', () => {
    expect(describeTool('trim_video')).toBe('Agent: trim video');
    expect(describeTool('applyFilter')).toBe('Agent: apply filter');
  });
});
