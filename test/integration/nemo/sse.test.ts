import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/core/errors.js';
import { isExportable } from '../../../src/engines/nemo/draft.js';
import { clientWithSession, clipIn, closeWorldAfterEach, startWorld, type World } from './harness.js';
import type { EmulatorOptions } from '../../emulator/index.js';

let world: World;
closeWorldAfterEach(() => world);

async function ready(options: EmulatorOptions = {}, extra = {}) {
  world = await startWorld(options);
  const { client, sessionId } = await clientWithSession(world, extra);
  await client.uploadFile(sessionId, await clipIn(world, 'a.mov'));
  return { client, sessionId };
}

describe('run_sse over loopback', () => {
  it.each([['adk'], ['typed']] as const)(
    'understands the %s shape: text, tool calls, heartbeats; never raw JSON',
    async (sseShape) => {
      const { client, sessionId } = await ready({ sseShape, textlessRate: 0 });
      const messages: string[] = [];
      const outcome = await client.instruct(sessionId, 'convert to mp4', {
        onMessage: (m) => messages.push(m),
      });
      expect(outcome.sawText).toBe(true);
      expect(outcome.toolCalls).toBeGreaterThanOrEqual(1);
      expect(outcome.texts.length).toBeGreaterThan(0);
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) {
        expect(m).not.toMatch(/^\s*[[{]/);
        expect(m).not.toMatch(/"type"|"content"|functionCall/);
        expect(m).not.toMatch(/click/i);
      }
      expect(isExportable((await client.state(sessionId)).draft)).toBe(true);
    },
  );

  it('reports a stream with no text so the caller checks the state', async () => {
    const { client, sessionId } = await ready({ textlessRate: 0 });
    world.emu.inject('sse', { kind: 'sse-textless' });
    const outcome = await client.instruct(sessionId, 'convert');
    expect(outcome.sawText).toBe(false);
    expect(outcome.texts).toEqual([]);
    expect(isExportable((await client.state(sessionId)).draft)).toBe(true);
  });

  it.each([['adk'], ['typed']] as const)(
    'turns an agent error (%s) into SSE_FAILED with a readable message',
    async (shape) => {
      const { client, sessionId } = await ready();
      world.emu.inject('sse', { kind: 'sse-error', shape });
      const err = (await client.instruct(sessionId, 'convert').catch((e: unknown) => e)) as ApiError;
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('SSE_FAILED');
      expect(err.message).not.toMatch(/[{}]/);
    },
  );

  it('says "still working" while the agent is busy', async () => {
    const { client, sessionId } = await ready(
      { instructionMs: 900, heartbeatMs: 30 },
      { stillWorkingMs: 100 },
    );
    const messages: string[] = [];
    await client.instruct(sessionId, 'convert', { onMessage: (m) => messages.push(m) });
    expect(messages.filter((m) => /still working/i.test(m)).length).toBeGreaterThanOrEqual(1);
  });

  it('fails a stream that goes silent with SSE_TIMEOUT', async () => {
    const { client, sessionId } = await ready({ instructionMs: 4000, heartbeatMs: 3000 }, { sseIdleMs: 300 });
    const err = (await client.instruct(sessionId, 'convert').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('SSE_TIMEOUT');
    expect(err.message).toMatch(/silent/);
  });

  it('fails a stream that runs past its cap with SSE_TIMEOUT', async () => {
    const { client, sessionId } = await ready({ instructionMs: 4000, heartbeatMs: 30 }, { sseCapMs: 400 });
    const err = (await client.instruct(sessionId, 'convert').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('SSE_TIMEOUT');
    expect(err.message).toMatch(/ran past/);
  });

  it('reports a stream cut midway as a retryable NETWORK failure', async () => {
    const { client, sessionId } = await ready();
    world.emu.inject('sse', { kind: 'reset-midway' });
    const err = (await client.instruct(sessionId, 'convert').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('NETWORK');
    expect(err.retryable).toBe(true);
  });

  it('retries a 5xx before the stream starts', async () => {
    const { client, sessionId } = await ready({ textlessRate: 0 });
    world.emu.inject('sse', { kind: 'http', status: 502 });
    const outcome = await client.instruct(sessionId, 'convert');
    expect(outcome.sawText).toBe(true);
    expect(world.emu.count('sse')).toBe(2);
  });
});
