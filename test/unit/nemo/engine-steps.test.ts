import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/core/errors.js';
import { systemClock } from '../../../src/core/clock.js';
import { nodeAtomicWriteFs } from '../../../src/core/atomic-write.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { NemoClient } from '../../../src/engines/nemo/client.js';
import { createNemoEngine } from '../../../src/engines/nemo/nemo-engine.js';
import type { EngineRequest } from '../../../src/engines/engine.js';
import type { RemoteIds } from '../../../src/domain/work.js';
import { DEFAULT_RETRY } from '../../../src/engines/nemo/options.js';

const EMPTY = { t: [{ tt: 0, sg: [] }] };
const EDITED = { t: [{ tt: 0, sg: [{ id: 'seg' }] }] };

/** A scripted stand-in for the HTTP client, recording the calls the engine makes. */
function fakeClient(script: { instruct: (() => Promise<unknown>)[]; drafts: unknown[] }) {
  const calls: string[] = [];
  let draftIndex = 0;
  const client = {
    settings: { retry: { ...DEFAULT_RETRY, baseMs: 1, maxMs: 2 } },
    createSession: async () => (calls.push('session'), { sessionId: '1', taskId: 't' }),
    uploadFile: async () => (calls.push('upload'), [{ cdnUrl: 'http://cdn/a', filename: 'a.mov' }]),
    state: async () => {
      calls.push('state');
      const draft = script.drafts[Math.min(draftIndex++, script.drafts.length - 1)];
      return { draft, videoInfos: [], generatedMedia: [], canvasConfig: {} };
    },
    instruct: async () => {
      calls.push('instruct');
      const next = script.instruct.shift();
      if (!next) throw new Error('unexpected instruct');
      return next();
    },
    startRender: async () => (calls.push('render-start'), { status: 'pending' }),
    waitForRender: async () => (
      calls.push('render-wait'),
      { status: 'completed', outputUrl: 'http://cdn/o.mp4' }
    ),
    download: async () => (calls.push('download'), 10),
  };
  return { client: client as unknown as NemoClient, calls };
}

const request: EngineRequest = {
  jobId: 'j',
  input: '/in/a.mov',
  instructions: ['convert'],
  skill: 'video-converter-best',
  language: 'en',
  quality: 'high',
  destination: '/out/a.mp4',
};

function hooks() {
  const saved: RemoteIds[] = [];
  return {
    saved,
    hooks: {
      signal: new AbortController().signal,
      progress: () => undefined,
      checkpoint: async (ids: RemoteIds) => void saved.push(ids),
    },
  };
}

const ok = { texts: ['done'], sawText: true, toolCalls: 1, events: 3 };
const silent = { texts: [], sawText: false, toolCalls: 0, events: 3 };
const broken = () => Promise.reject(new ApiError('NETWORK', 'cut', { retryable: true }));

describe('the engine around a broken instruction stream', () => {
  it('does not resend when the draft changed before the stream broke', async () => {
    const { client, calls } = fakeClient({ instruct: [broken], drafts: [EMPTY, EDITED] });
    await createNemoEngine({
      client,
      stateDir: '/x',
      log: silentLogger(),
      clock: systemClock,
      fs: nodeAtomicWriteFs,
    }).run(request, hooks().hooks);
    expect(calls.filter((c) => c === 'instruct')).toHaveLength(1);
  });

  it('resends when the draft did not change', async () => {
    const { client, calls } = fakeClient({
      instruct: [broken, async () => ok],
      drafts: [EMPTY, EMPTY, EDITED],
    });
    await createNemoEngine({
      client,
      stateDir: '/x',
      log: silentLogger(),
      clock: systemClock,
      fs: nodeAtomicWriteFs,
    }).run(request, hooks().hooks);
    expect(calls.filter((c) => c === 'instruct')).toHaveLength(2);
  });

  it('gives up after maxInstructionAttempts', async () => {
    const { client, calls } = fakeClient({ instruct: [broken, broken], drafts: [EMPTY] });
    const engine = createNemoEngine({
      client,
      stateDir: '/x',
      log: silentLogger(),
      clock: systemClock,
      fs: nodeAtomicWriteFs,
      maxInstructionAttempts: 2,
    });
    await expect(engine.run(request, hooks().hooks)).rejects.toMatchObject({ code: 'NETWORK' });
    expect(calls.filter((c) => c === 'instruct')).toHaveLength(2);
    expect(calls).not.toContain('render-start');
  });

  it.each([['OUT_OF_CREDITS'], ['SSE_FAILED'], ['UNSUPPORTED_FILE']] as const)(
    'never resends after %s',
    async (code) => {
      const { client, calls } = fakeClient({
        instruct: [() => Promise.reject(new ApiError(code, 'no'))],
        drafts: [EMPTY],
      });
      await expect(
        createNemoEngine({
          client,
          stateDir: '/x',
          log: silentLogger(),
          clock: systemClock,
          fs: nodeAtomicWriteFs,
        }).run(request, hooks().hooks),
      ).rejects.toMatchObject({ code });
      expect(calls.filter((c) => c === 'instruct')).toHaveLength(1);
    },
  );

  it('checks the state after a text-less stream and refuses an unexportable draft', async () => {
    const { client, calls } = fakeClient({ instruct: [async () => silent], drafts: [EMPTY] });
    await expect(
      createNemoEngine({
        client,
        stateDir: '/x',
        log: silentLogger(),
        clock: systemClock,
        fs: nodeAtomicWriteFs,
      }).run(request, hooks().hooks),
    ).rejects.toMatchObject({
      code: 'DRAFT_NOT_EXPORTABLE',
    });
    expect(calls).toEqual(['session', 'upload', 'state', 'instruct', 'state']);
  });

  it('checkpoints the render id before starting the render', async () => {
    const { client, calls } = fakeClient({ instruct: [async () => ok], drafts: [EMPTY, EDITED] });
    const h = hooks();
    let callsAtRenderId = -1;
    h.hooks.checkpoint = async (ids: RemoteIds) => {
      if (ids.renderId && callsAtRenderId < 0) callsAtRenderId = calls.length;
      h.saved.push(ids);
    };
    await createNemoEngine({
      client,
      stateDir: '/x',
      log: silentLogger(),
      clock: systemClock,
      fs: nodeAtomicWriteFs,
    }).run(request, h.hooks);
    expect(calls.slice(callsAtRenderId)).toEqual(['render-start', 'render-wait', 'download']);
    expect(h.saved.at(-1)).toMatchObject({
      renderAccepted: true,
      outputUrl: 'http://cdn/o.mp4',
      instructionsDone: 1,
    });
  });
});
