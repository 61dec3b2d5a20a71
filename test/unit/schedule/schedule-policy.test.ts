import { describe, expect, it } from 'vitest';
import { createStartGate } from '../../../src/queue/start-gate.js';
import { isOpen, nextOpening, parseSchedule, parseWindow } from '../../../src/schedule/schedule-policy.js';

/** A local-time Date: 2026-11-30 is a Monday. */
const at = (day: number, hh: number, mm = 0) => new Date(2026, 10, 30 + day, hh, mm);
const MON = 0;
const FRI = 4;
const SAT = 5;
const SUN = 6;

describe('schedule windows', () => {
  it.each<[string, Date, boolean]>([
    ['weekdays 22:00-07:00', at(MON, 23), true],
    ['weekdays 22:00-07:00', at(MON, 21, 59), false],
    ['weekdays 22:00-07:00', at(MON, 6, 59), false], // Sunday night's window does not exist
    ['weekdays 22:00-07:00', at(MON + 1, 6, 59), true], // Monday night's window, Tuesday morning
    ['weekdays 22:00-07:00', at(MON + 1, 7, 0), false],
    ['weekdays 22:00-07:00', at(FRI, 23), true],
    ['weekdays 22:00-07:00', at(SAT, 3), true], // Friday night's window runs into Saturday
    ['weekdays 22:00-07:00', at(SAT, 23), false],
    ['weekends', at(SAT, 12), true],
    ['weekends', at(SUN, 0), true],
    ['weekends', at(MON, 12), false],
    ['01:00-05:00', at(MON, 4, 59), true],
    ['daily 01:00-05:00', at(MON, 5), false],
    ['mon,wed,fri 09:00-17:00', at(MON + 2, 9), true],
    ['mon,wed,fri 09:00-17:00', at(MON + 1, 9), false],
    ['mon-wed', at(MON + 2, 23), true],
    ['fri-mon', at(SUN, 12), true],
    ['fri-mon', at(MON + 1, 12), false],
    ['sat 00:00-24:00', at(SAT, 23, 59), true],
  ])('"%s" at %s → open %s', (text, now, open) => {
    expect(isOpen(parseSchedule([text]), now)).toBe(open);
  });

  it.each([
    ['weekdays 25:00-07:00', /not a time of day/],
    ['weekdays 22-07', /not HH:MM-HH:MM/],
    ['someday', /not daily, weekdays/],
    ['10:00-10:00', /empty window/],
  ])('"%s" is refused with a reason', (text, reason) => {
    const r = parseWindow(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(reason);
  });

  it('no schedule is always open; several windows open at any of them', () => {
    expect(isOpen(undefined, at(MON, 12))).toBe(true);
    const both = parseSchedule(['weekdays 22:00-07:00', 'weekends']);
    expect(isOpen(both, at(SAT, 12))).toBe(true);
    expect(isOpen(both, at(MON, 12))).toBe(false);
  });

  it('says when work resumes', () => {
    const w = parseSchedule(['weekdays 22:00-07:00']);
    expect(nextOpening(w, at(MON, 12))).toEqual(at(MON, 22));
    expect(nextOpening(w, at(SAT, 12))).toEqual(at(MON + 7, 22));
    expect(nextOpening(w, at(MON, 23))).toBeUndefined();
  });
});

describe('start gate', () => {
  it.each<[boolean, string[] | undefined, string[] | undefined, Date, string | undefined, boolean]>([
    [false, undefined, undefined, at(MON, 12), 'a', true],
    [true, undefined, undefined, at(MON, 12), 'a', false],
    [false, ['weekdays 22:00-07:00'], undefined, at(MON, 12), 'a', false],
    [false, ['weekdays 22:00-07:00'], ['daily'], at(MON, 12), 'a', true], // the folder's own wins
    [false, ['weekdays 22:00-07:00'], ['daily'], at(MON, 12), 'b', false],
    [true, undefined, ['daily'], at(MON, 12), 'a', false], // a pause beats every schedule
  ])(
    'paused %s, schedule %j, folder a %j, at %s, folder %s → %s',
    (paused, top, folderA, now, folder, can) => {
      const gate = createStartGate({
        paused: () => paused,
        schedule: () => parseSchedule(top),
        folderSchedule: (name) => (name === 'a' ? parseSchedule(folderA) : undefined),
      });
      expect(gate.canStartNewJob(now, folder)).toBe(can);
    },
  );
});

describe('start gate, the schedule alone (a cluster node steers its workers by it)', () => {
  it.each<[boolean, string[] | undefined, Date, string | undefined, boolean, Date | undefined]>([
    [false, undefined, at(MON, 12), undefined, true, undefined],
    [true, undefined, at(MON, 12), undefined, true, undefined], // a pause is not the schedule
    [true, ['daily 22:00-07:00'], at(MON, 12), undefined, false, at(MON, 22)],
    [false, ['daily 22:00-07:00'], at(MON, 12), 'a', true, undefined], // folder a's own schedule
  ])(
    'paused %s, schedule %j, at %s, folder %s → open %s, opens at %s',
    (paused, top, now, folder, open, opens) => {
      const gate = createStartGate({
        paused: () => paused,
        schedule: () => parseSchedule(top),
        folderSchedule: (name) => (name === 'a' ? parseSchedule(['daily']) : undefined),
      });
      expect(gate.scheduleOpen(now, folder)).toBe(open);
      expect(gate.opensAt(now, folder)).toEqual(opens);
    },
  );
});
