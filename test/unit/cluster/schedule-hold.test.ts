import { describe, expect, it } from 'vitest';
import { nodeHold, type HoldReason } from '../../../src/cluster/node-hold.js';
import {
  CLOSED_FOLDER_RECHECK_MS,
  closedFolderDelayMs,
  scheduleClosesNode,
} from '../../../src/cluster/schedule-hold.js';
import { createStartGate } from '../../../src/queue/start-gate.js';
import { parseSchedule } from '../../../src/schedule/schedule-policy.js';

/** 2026-11-30 is a Monday; local time. */
const MON_NOON = new Date(2026, 10, 30, 12, 0);
const ALMOST_12_01 = new Date(2026, 10, 30, 12, 0, 50);

function gateOf(top: string[] | undefined, own: Record<string, string[]> = {}) {
  return createStartGate({
    paused: () => false,
    schedule: () => parseSchedule(top),
    folderSchedule: (name) => parseSchedule(own[name]),
  });
}

describe('scheduleClosesNode', () => {
  it.each<[string, string[] | undefined, Record<string, string[]>, string[], boolean]>([
    ['no schedule', undefined, {}, ['a', 'b'], false],
    ['top-level closed', ['daily 22:00-07:00'], {}, ['a', 'b'], true],
    ['top-level closed, no folders', ['daily 22:00-07:00'], {}, [], true],
    ['top-level open', ['daily 09:00-17:00'], {}, ['a'], false],
    [
      'top-level closed, folder b open by its own',
      ['daily 22:00-07:00'],
      { b: ['daily'] },
      ['a', 'b'],
      false,
    ],
    [
      'top-level open, every folder closed by its own',
      undefined,
      { a: ['sat'], b: ['sun'] },
      ['a', 'b'],
      true,
    ],
  ])('%s → %s', (_what, top, own, folders, closed) => {
    expect(scheduleClosesNode(gateOf(top, own), folders, MON_NOON)).toBe(closed);
  });
});

describe('closedFolderDelayMs', () => {
  it.each<[string, string[] | undefined, number | undefined]>([
    ['open: runs now', undefined, undefined],
    ['opens in ten seconds', ['daily 12:01-13:00'], 10_000],
    ['opens tonight: the recheck period', ['daily 22:00-07:00'], CLOSED_FOLDER_RECHECK_MS],
  ])('%s', (_what, own, delay) => {
    expect(closedFolderDelayMs(gateOf(undefined, own ? { a: own } : {}), 'a', ALMOST_12_01)).toBe(delay);
  });
});

describe('nodeHold', () => {
  function fakeNode() {
    const calls: string[] = [];
    return {
      calls,
      node: { pause: async () => void calls.push('pause'), resume: () => void calls.push('resume') },
    };
  }

  it.each<[string, [HoldReason, boolean][], string[], boolean]>([
    ['a schedule closing pauses', [['schedule', true]], ['pause'], true],
    [
      'and opening resumes',
      [
        ['schedule', true],
        ['schedule', false],
      ],
      ['pause', 'resume'],
      false,
    ],
    [
      'a window opening keeps a paused node paused',
      [
        ['user', true],
        ['schedule', true],
        ['schedule', false],
      ],
      ['pause'],
      true,
    ],
    [
      'a resume outside the window keeps it held',
      [
        ['schedule', true],
        ['user', true],
        ['user', false],
      ],
      ['pause'],
      true,
    ],
    [
      'the same reason twice pauses once',
      [
        ['user', true],
        ['user', true],
      ],
      ['pause'],
      true,
    ],
    ['clearing what was never set does nothing', [['schedule', false]], [], false],
  ])('%s', async (_what, steps, calls, held) => {
    const fake = fakeNode();
    const hold = nodeHold(fake.node);
    for (const [reason, on] of steps) await hold.set(reason, on);
    expect(fake.calls).toEqual(calls);
    expect(hold.held()).toBe(held);
  });
});
