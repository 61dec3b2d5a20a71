import { describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../emulator/index.js';
import { call, messageOf, newSession, newToken, type Json } from './client.js';
import { uploadFiles } from './media.js';
import { runSse, postSse, textOf } from './sse-client.js';
import { useClipMedia, useEmulator } from './suite.js';

const media = useClipMedia();
const startEmulator = useEmulator({ seed: 5, textlessRate: 0, instructionMs: 200, heartbeatMs: 20 });
async function start(options: EmulatorOptions = {}): Promise<{ e: Emulator; token: string; sid: string }> {
  const em = await startEmulator(options);
  const token = await newToken(em);
  const sid = await newSession(em, token);
  await uploadFiles(em, token, sid, [media.clip]);
  return { e: em, token, sid };
}

async function draftOf(e: Emulator, token: string, sid: string): Promise<Json> {
  return (await call(e, `/api/state/nemo_agent/me/${sid}/latest`, { token })).json.data.state.draft;
}
const exportable = (draft: Json): boolean => draft.t.some((t: Json) => t.sg.length > 0);

describe('instruction stream', () => {
  it('typed shape: all heartbeat forms, a tool call and result, GUI-speaking text; the draft becomes exportable', async () => {
    const { e, token, sid } = await start({ sseShape: 'typed' });
    expect(exportable(await draftOf(e, token, sid))).toBe(false);
    const s = await runSse(e, token, sid);
    expect(s.contentType).toMatch(/^text\/event-stream/);
    expect(s.frames.some((f) => f.comment !== undefined)).toBe(true);
    expect(s.frames.some((f) => f.data === '')).toBe(true);
    expect(s.events.some((ev) => ev.type === 'heartbeat')).toBe(true);
    expect(s.events.find((ev) => ev.type === 'tool_call')).toMatchObject({
      name: expect.any(String),
      args: expect.any(Object),
    });
    expect(s.events.some((ev) => ev.type === 'tool_result')).toBe(true);
    const text = s.events.map(textOf).filter(Boolean).join(' ');
    expect(text).toMatch(/export/i);
    const draft = await draftOf(e, token, sid);
    expect(exportable(draft)).toBe(true);
    expect(draft.d).toBeGreaterThan(500);
    expect(draft.t.map((t: Json) => t.tt)).toEqual([0, 1]);
  });

  it('ADK shape: content parts with text, functionCall and functionResponse', async () => {
    const { e, token, sid } = await start({ sseShape: 'adk' });
    const s = await runSse(e, token, sid, 'add a title and convert to MP4');
    const parts = s.events.filter((ev) => ev.content).flatMap((ev) => ev.content.parts);
    expect(s.events.filter((ev) => ev.content).every((ev) => ev.author === 'nemo_agent')).toBe(true);
    expect(parts.find((p: Json) => p.functionCall)?.functionCall).toMatchObject({
      id: expect.any(String),
      name: expect.any(String),
    });
    expect(parts.find((p: Json) => p.functionResponse)?.functionResponse).toMatchObject({
      response: expect.any(Object),
    });
    expect(parts.some((p: Json) => typeof p.text === 'string')).toBe(true);
    expect(s.frames.some((f) => f.comment !== undefined) && s.frames.some((f) => f.data === '')).toBe(true);
    // A title instruction adds a text track (tt 7).
    expect((await draftOf(e, token, sid)).t.map((t: Json) => t.tt)).toContain(7);
  });

  it('textlessRate 1 sends no text but still changes the draft', async () => {
    const { e, token, sid } = await start({ textlessRate: 1 });
    const s = await runSse(e, token, sid);
    expect(s.events.map(textOf).filter(Boolean)).toEqual([]);
    expect(s.frames.length).toBeGreaterThan(3);
    expect(exportable(await draftOf(e, token, sid))).toBe(true);
  });

  it('by default about 30% of streams are text-less and both shapes occur', async () => {
    const { e, token, sid } = await start({ textlessRate: undefined, instructionMs: 10, heartbeatMs: 5 });
    let textless = 0;
    const shapes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const s = await runSse(e, token, sid);
      if (s.events.every((ev) => !textOf(ev))) textless++;
      shapes.add(s.events.some((ev) => ev.content) ? 'adk' : 'typed');
    }
    expect(textless).toBeGreaterThanOrEqual(3);
    expect(textless).toBeLessThanOrEqual(18);
    expect(shapes).toEqual(new Set(['adk', 'typed']));
  });

  it('holds the credit while working and spends it at the end', async () => {
    const { e, token, sid } = await start({ instructionMs: 400, creditsPerInstruction: 2 });
    let during: Json;
    await postSse(
      e,
      token,
      { app_name: 'nemo_agent', user_id: 'me', session_id: sid, new_message: { parts: [{ text: 'go' }] } },
      async () => {
        during = (await call(e, '/api/credits/balance/simple', { token })).json.data;
      },
    );
    expect(during).toEqual({ available: 98, frozen: 2, total: 100 });
    expect((await call(e, '/api/credits/balance/simple', { token })).json.data).toEqual({
      available: 98,
      frozen: 0,
      total: 98,
    });
  });
});

describe('instruction refusals are JSON, not streams', () => {
  it('answers 2001 with a registration link when credits are too few', async () => {
    const { e, token, sid } = await start();
    e.setCredits(0);
    const s = await runSse(e, token, sid);
    expect(s.contentType).toMatch(/json/);
    expect(s.json.code).toBe(2001);
    expect(messageOf(s.json)).toMatch(/bind=/);
  });

  it('answers 1002 for an unknown session and 1001 for a bad token', async () => {
    const { e, token } = await start({ authErrorStyle: 'envelope' });
    expect((await runSse(e, token, '42')).json.code).toBe(1002);
    expect((await runSse(e, 'nope', '42')).json.code).toBe(1001);
  });
});

describe('stream faults', () => {
  it('sse-textless forces a stream without text that still changes the draft', async () => {
    const { e, token, sid } = await start();
    e.inject('sse', { kind: 'sse-textless' });
    const s = await runSse(e, token, sid);
    expect(s.events.map(textOf).filter(Boolean)).toEqual([]);
    expect(exportable(await draftOf(e, token, sid))).toBe(true);
  });

  it('sse-noop leaves the draft unexportable', async () => {
    const { e, token, sid } = await start();
    e.inject('sse', { kind: 'sse-noop' });
    const s = await runSse(e, token, sid);
    expect(s.events.map(textOf).filter(Boolean)).toEqual([]);
    expect(exportable(await draftOf(e, token, sid))).toBe(false);
  });

  it.each([
    ['adk', (ev: Json) => typeof ev.error === 'string' || typeof ev.errorMessage === 'string'],
    ['typed', (ev: Json) => ev.type === 'error' && typeof ev.error === 'string'],
  ] as const)(
    'sse-error in %s shape reports an error, closes, refunds and leaves the draft',
    async (shape, isError) => {
      const { e, token, sid } = await start();
      e.inject('sse', { kind: 'sse-error', shape });
      const s = await runSse(e, token, sid);
      expect(s.error).toBeUndefined();
      expect(isError(s.events.at(-1))).toBe(true);
      expect(exportable(await draftOf(e, token, sid))).toBe(false);
      expect((await call(e, '/api/credits/balance/simple', { token })).json.data.available).toBe(100);
    },
  );

  it('reset-midway cuts the stream, yet the agent finishes the edit', async () => {
    const { e, token, sid } = await start();
    e.inject('sse', { kind: 'reset-midway' });
    const s = await runSse(e, token, sid);
    expect(s.error).toBeDefined();
    expect(s.frames.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exportable(await draftOf(e, token, sid))).toBe(true);
  });
});
