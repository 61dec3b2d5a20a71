import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '../../../src/events/event-bus.js';
import { openPauseControl } from '../../../src/queue/pause-control.js';

let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('pause flag', () => {
  it('is written before it is applied, read back by the next start, and announced', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vi-pause-'));
    const bus = createEventBus();
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.type));
    const calls: string[] = [];
    const effects = { stopRunning: () => calls.push('stop'), restart: () => calls.push('restart') };

    const first = await openPauseControl(dir, bus, effects);
    expect(first.paused()).toBe(false);
    await first.pause(true, 1234);
    expect(calls).toEqual([]); // drain: running jobs go on
    expect(JSON.parse(await readFile(join(dir, 'paused.json'), 'utf8'))).toEqual({
      paused: true,
      drain: true,
      since: 1234,
    });
    expect((await stat(join(dir, 'paused.json'))).mode & 0o777).toBe(0o600);

    const afterRestart = await openPauseControl(dir, bus, effects);
    expect(afterRestart.state()).toEqual({ paused: true, drain: true, since: 1234 });
    await afterRestart.pause(false, 9999);
    expect(calls).toEqual(['stop']);
    expect(afterRestart.state().since).toBe(1234); // still the same pause
    await afterRestart.resume();
    expect(calls).toEqual(['stop', 'restart']);
    expect((await openPauseControl(dir, bus, effects)).paused()).toBe(false);
    expect(seen).toEqual(['paused', 'paused', 'resumed']);
  });
});
