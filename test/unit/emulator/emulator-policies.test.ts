import { describe, expect, it } from 'vitest';
import { parseTimes } from '../../emulator/control.js';
import { isExportable } from '../../emulator/draft.js';
import { FaultQueue } from '../../emulator/faults.js';
import { choose, createRandom } from '../../emulator/random.js';
import { renderArgs } from '../../emulator/render-args.js';
import { nextReport } from '../../emulator/render.js';
import { route } from '../../emulator/router.js';
import { sseScript, type ScriptInput } from '../../emulator/sse-script.js';
import type { Render } from '../../emulator/store.js';
import { EMPTY_DRAFTS } from '../../helpers/draft-cases.js';

describe('route', () => {
  it.each([
    ['POST', '/api/auth/anonymous-token', 'token', {}],
    ['POST', '/api/tasks/me/with-session/nemo_agent', 'session', {}],
    ['POST', '/api/upload-video/nemo_agent/me/123', 'upload', { sid: '123' }],
    ['POST', '/run_sse', 'sse', {}],
    ['GET', '/api/state/nemo_agent/me/77/latest', 'state', { sid: '77' }],
    ['POST', '/api/render/proxy/lambda', 'render-start', {}],
    ['GET', '/api/render/proxy/lambda/render_1', 'render-poll', { id: 'render_1' }],
    ['HEAD', '/cdn/renders/render_1/render_1.mp4', 'download', { id: 'render_1', file: 'render_1.mp4' }],
    ['GET', '/api/credits/balance/simple', 'credits', {}],
    ['GET', '/api/render/proxy/lambda', 'other', {}],
    ['DELETE', '/run_sse', 'other', {}],
  ])('%s %s → %s', (method, path, endpoint, params) => {
    expect(route(method, path)).toMatchObject({ endpoint, params });
  });
});

describe('isExportable', () => {
  it.each<[unknown, boolean]>([
    ...EMPTY_DRAFTS,
    [
      {
        t: [
          { tt: 0, sg: [] },
          { tt: 7, sg: [{ s: 0 }] },
        ],
      },
      true,
    ],
    [{ t: [{ tt: 0, sg: [{ s: 0, e: 1 }] }] }, true],
  ])('%j → %s', (draft, expected) => {
    expect(isExportable(draft)).toBe(expected);
  });
});

describe('parseTimes', () => {
  it.each([
    [undefined, 1],
    [3, 3],
    [null, Infinity],
    ['Infinity', Infinity],
    [-1, Infinity],
    [0, 1],
    ['x', 1],
  ])('%j → %s', (times, expected) => expect(parseTimes(times)).toBe(expected));
});

describe('FaultQueue', () => {
  it('serves faults in order, each for its count, per endpoint', () => {
    const q = new FaultQueue();
    q.inject('sse', { kind: 'reset' }, 2);
    q.inject('sse', { kind: 'sse-noop' });
    q.inject('state', { kind: 'stall' }, Infinity);
    expect([q.take('sse'), q.take('sse'), q.take('sse'), q.take('sse')].map((f) => f?.kind)).toEqual([
      'reset',
      'reset',
      'sse-noop',
      undefined,
    ]);
    for (let i = 0; i < 100; i++) expect(q.take('state')?.kind).toBe('stall');
    q.clear();
    expect(q.take('state')).toBeUndefined();
  });
});

describe('random', () => {
  it('repeats its choices for a seed and honours a forced option', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const seq = (r: typeof a): string[] =>
      Array.from({ length: 10 }, () => choose(r, 'mixed', ['x', 'y'] as const));
    expect(seq(a)).toEqual(seq(b));
    expect(new Set(seq(createRandom(1)).concat(seq(createRandom(2))))).toEqual(new Set(['x', 'y']));
    expect(choose(createRandom(1), 'y', ['x', 'y'] as const)).toBe('y');
  });
});

describe('sseScript', () => {
  const base: Omit<ScriptInput, 'outcome'> = {
    instructionMs: 250,
    heartbeatMs: 40,
    filename: 'a.mov',
    random: createRandom(1),
  };
  const kinds = (outcome: ScriptInput['outcome']): string[] =>
    sseScript({ ...base, outcome }).map((s) => s.item.kind);

  it.each([
    ['text', true, true, false],
    ['textless', true, false, false],
    ['noop', false, false, false],
    ['error', false, false, true],
  ] as const)('%s: applies=%s, text=%s, error=%s', (outcome, applies, text, error) => {
    const k = kinds(outcome);
    expect(k.includes('apply')).toBe(applies);
    expect(k.includes('text')).toBe(text);
    expect(k.includes('error')).toBe(error);
    expect(k).toContain('tool_call');
    if (error) expect(k.at(-1)).toBe('error');
  });

  it('sends all three heartbeat forms, in time order', () => {
    const steps = sseScript({ ...base, outcome: 'text' });
    const forms = new Set(steps.flatMap((s) => (s.item.kind === 'heartbeat' ? [s.item.form] : [])));
    expect(forms).toEqual(new Set(['typed', 'empty', 'comment']));
    expect(steps.map((s) => s.at)).toEqual([...steps.map((s) => s.at)].sort((a, b) => a - b));
  });
});

describe('renderArgs', () => {
  it.each([
    [true, ['-map', '0:a:0'], false],
    [false, ['-map', '1:a:0'], true],
  ])('with audio=%s maps %j (adds silence: %s)', (hasAudio, audioMap, addsSilence) => {
    const args = renderArgs('in.avi', 'out.mp4', hasAudio);
    expect(args.join(' ')).toContain(audioMap.join(' '));
    expect(args.some((a) => a.includes('anullsrc'))).toBe(addsSilence);
    expect(args).toEqual(expect.arrayContaining(['libx264', 'aac', '+faststart', 'veryfast']));
    expect(args.find((a) => a.startsWith('scale='))).toMatch(
      /min\(1920,iw\).*min\(1080,ih\).*decrease.*yuv420p/,
    );
    expect(args.at(-1)).toBe('out.mp4');
  });
});

describe('nextReport', () => {
  const render = (
    polls: number,
    job: Partial<Render['job']>,
    forcedError?: string,
    progress = 5,
  ): Render => ({
    id: 'r',
    sessionId: 's',
    userId: 'u',
    polls,
    outputPath: '/x',
    job: { done: false, fraction: 0, size: 0, durationSec: 1, ...job },
    forcedError,
    reported: { status: 'pending', progress },
  });
  it.each([
    [1, { done: true, fraction: 1 }, undefined, 3, 'pending'],
    [2, { done: true, fraction: 1 }, undefined, 3, 'processing'],
    [3, { done: true, fraction: 1 }, undefined, 3, 'completed'],
    [9, { done: false, fraction: 0.5 }, undefined, 3, 'processing'],
    [1, { done: true, fraction: 1 }, undefined, 1, 'completed'],
    [1, { done: true, error: 'boom' }, undefined, 3, 'failed'],
    [1, {}, 'forced', 3, 'failed'],
  ] as const)(
    'poll %s of job %j (forced %s, renderPolls %s) → %s',
    (polls, job, forced, renderPolls, status) => {
      expect(nextReport(render(polls, job, forced), renderPolls).status).toBe(status);
    },
  );

  it('never lowers progress and keeps it below 100 until completed', () => {
    const r = render(2, { fraction: 0.1 }, undefined, 60);
    const report = nextReport(r, 3);
    expect(report.progress).toBe(60);
    expect(nextReport(render(50, { fraction: 1 }), 3).progress).toBeLessThanOrEqual(95);
  });
});
