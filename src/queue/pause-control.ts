import type { EventBus } from '../events/event-bus.js';
import { readPauseState, writePauseState, type PauseState } from '../schedule/pause-flag.js';

export interface PauseControl {
  state(): PauseState;
  paused(): boolean;
  pause(drain: boolean, now: number): Promise<PauseState>;
  resume(): Promise<PauseState>;
}

export interface PauseEffects {
  /** Stop running jobs at their checkpoint (pause without drain). */
  stopRunning(): void;
  /** Offer waiting and stopped jobs again (resume). */
  restart(): void;
}

/**
 * The person's pause: persisted first (so it survives a crash right after), then applied, then
 * announced. With drain, running jobs finish; without, they stop at their checkpoint and continue
 * from it on resume. Either way no new job starts.
 */
export async function openPauseControl(
  stateDir: string,
  bus: EventBus,
  effects: PauseEffects,
): Promise<PauseControl> {
  let current = await readPauseState(stateDir);
  return {
    state: () => ({ ...current }),
    paused: () => current.paused,
    async pause(drain, now) {
      const wasPaused = current.paused;
      current = { paused: true, drain, since: wasPaused ? current.since : now };
      await writePauseState(stateDir, current);
      if (!drain) effects.stopRunning();
      bus.publish({ type: 'paused', drain, reason: 'user' });
      return { ...current };
    },
    async resume() {
      const was = current.paused;
      current = { paused: false, drain: false };
      await writePauseState(stateDir, current);
      effects.restart();
      if (was) bus.publish({ type: 'resumed' });
      return { ...current };
    },
  };
}
