import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The person's pause, kept in `<stateDir>/paused.json` so it survives a restart. */
export interface PauseState {
  paused: boolean;
  /** Paused with drain: running jobs were let finish. */
  drain: boolean;
  since?: number;
}

export const PAUSE_FILE = 'paused.json';

export async function readPauseState(stateDir: string): Promise<PauseState> {
  try {
    const raw = JSON.parse(await readFile(join(stateDir, PAUSE_FILE), 'utf8')) as Partial<PauseState>;
    return { paused: raw.paused === true, drain: raw.drain === true, since: raw.since };
  } catch {
    return { paused: false, drain: false };
  }
}

export async function writePauseState(stateDir: string, state: PauseState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const file = join(stateDir, PAUSE_FILE);
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
