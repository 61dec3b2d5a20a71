import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../../src/events/event-bus.js';
import { changeEvent } from '../../../src/events/observed-journal.js';
import type { JobRecord } from '../../../src/domain/job.js';

describe('event bus', () => {
  it('stamps growing ids and replays what came after an id', () => {
    const bus = createEventBus({ now: () => 5 });
    const seen: number[] = [];
    bus.subscribe((e) => seen.push(e.id));
    for (let i = 0; i < 3; i++) bus.publish({ type: 'resumed' });
    expect(seen).toEqual([1, 2, 3]);
    expect(bus.since(1)).toEqual({
      events: [expect.objectContaining({ id: 2, at: 5 }), expect.objectContaining({ id: 3 })],
      gap: false,
    });
    expect(bus.since(3).events).toEqual([]);
  });

  it('keeps only its capacity and says when a reconnecting client missed some', () => {
    const bus = createEventBus({ capacity: 2 });
    for (let i = 0; i < 5; i++) bus.publish({ type: 'resumed' });
    expect(bus.since(0)).toMatchObject({ gap: true, events: [{ id: 4 }, { id: 5 }] });
    expect(bus.since(3)).toMatchObject({ gap: false, events: [{ id: 4 }, { id: 5 }] });
  });

  it('a throwing listener does not stop the others', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => seen.push(e.type));
    bus.publish({ type: 'paused', drain: false, reason: 'user' });
    expect(seen).toEqual(['paused']);
  });
});

describe('journal change → event', () => {
  const job = (patch: Partial<JobRecord>): JobRecord => ({
    id: 'j',
    folder: 'f',
    source: '/in/a.mov',
    sourceName: 'a.mov',
    size: 1,
    mtimeMs: 1,
    contentHash: 'h',
    ruleVersion: 'v',
    engine: 'local',
    state: 'queued',
    remote: {},
    attempts: 0,
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  });
  it.each<[Partial<JobRecord>, Partial<JobRecord>, string | undefined]>([
    [{}, { state: 'converting' }, 'job.stage'],
    [{ state: 'converting' }, { state: 'converting', percent: 40 }, 'job.progress'],
    [{ state: 'converting', percent: 40 }, { state: 'converting', percent: 40 }, undefined],
    [{ state: 'placing' }, { state: 'done' }, 'job.done'],
    [{ state: 'uploading' }, { state: 'failed' }, 'job.failed'],
    [{ state: 'uploading' }, { state: 'held' }, 'job.held'],
    [{ state: 'uploading' }, { state: 'queued' }, 'job.stage'],
  ])('%j → %j is %s', (before, after, type) => {
    expect(changeEvent(job(before), job(after))?.type).toBe(type);
  });
});
