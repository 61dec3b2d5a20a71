/**
 * Time windows in which new jobs may start, as written in the config: `"[days] [HH:MM-HH:MM]"`.
 * Days: `daily` (default), `weekdays`, `weekends`, or a comma list of `mon`..`sun` (ranges such as
 * `mon-fri` too). Hours: `22:00-07:00` crosses midnight and belongs to the day it starts on; no
 * hours means the whole day. Pure: the caller passes local time as a Date.
 */
export interface ScheduleWindow {
  /** 0 = Sunday … 6 = Saturday. */
  days: ReadonlySet<number>;
  /** Minutes after midnight. */
  start: number;
  end: number;
}

export type ParseResult = { ok: true; window: ScheduleWindow } | { ok: false; message: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const GROUPS: Record<string, number[]> = {
  daily: ALL_DAYS,
  everyday: ALL_DAYS,
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};
const DAY_MINUTES = 24 * 60;

export function parseWindow(text: string): ParseResult {
  const parts = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  let days: number[] = ALL_DAYS;
  let start = 0;
  let end = DAY_MINUTES;
  for (const part of parts) {
    if (/^\d/.test(part)) {
      const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(part);
      if (!m) return bad(text, `"${part}" is not HH:MM-HH:MM`);
      const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
      if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 > 0))
        return bad(text, `"${part}" is not a time of day`);
      start = h1 * 60 + m1;
      end = h2 * 60 + m2;
      if (start === end) return bad(text, `"${part}" is an empty window`);
    } else {
      const parsed = parseDays(part);
      if (!parsed) return bad(text, `"${part}" is not daily, weekdays, weekends or a list like mon,wed,fri`);
      days = parsed;
    }
  }
  return { ok: true, window: { days: new Set(days), start, end } };
}

function parseDays(part: string): number[] | undefined {
  const group = GROUPS[part];
  if (group) return group;
  const out = new Set<number>();
  for (const item of part.split(',')) {
    const range = item.split('-');
    const idx = range.map((d) => DAY_NAMES.indexOf(d.slice(0, 3)));
    if (idx.some((i) => i < 0) || range.length > 2 || range.some((d) => d.length < 3)) return undefined;
    const [a, b = a] = idx as [number, number?];
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out];
}

function bad(text: string, why: string): ParseResult {
  return { ok: false, message: `Schedule window "${text}": ${why}` };
}

/** Whether `now` (local time) lies in the window. A window past midnight counts for its start day. */
export function inWindow(w: ScheduleWindow, now: Date): boolean {
  const minute = now.getHours() * 60 + now.getMinutes();
  const today = now.getDay();
  if (w.start < w.end) return w.days.has(today) && minute >= w.start && minute < w.end;
  // Crosses midnight: today's evening part, or the morning part of yesterday's window.
  const yesterday = (today + 6) % 7;
  return (w.days.has(today) && minute >= w.start) || (w.days.has(yesterday) && minute < w.end);
}

/** No windows means always open. */
export function isOpen(windows: readonly ScheduleWindow[] | undefined, now: Date): boolean {
  if (!windows || windows.length === 0) return true;
  return windows.some((w) => inWindow(w, now));
}

/** The next minute (as a Date) at which the schedule opens, within a week; undefined if open now or never. */
export function nextOpening(windows: readonly ScheduleWindow[] | undefined, now: Date): Date | undefined {
  if (isOpen(windows, now)) return undefined;
  const t = new Date(now);
  t.setSeconds(0, 0);
  for (let i = 0; i < 8 * DAY_MINUTES; i++) {
    t.setMinutes(t.getMinutes() + 1);
    if (isOpen(windows, t)) return t;
  }
  return undefined;
}

export function parseSchedule(list: readonly string[] | undefined): ScheduleWindow[] | undefined {
  if (!list) return undefined;
  return list.map((text) => {
    const r = parseWindow(text);
    if (!r.ok) throw new Error(r.message);
    return r.window;
  });
}
