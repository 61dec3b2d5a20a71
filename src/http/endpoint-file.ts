import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `<stateDir>/http.json`: where the running daemon listens, for the CLI (`status`, `pause`, `open`). */
export const ENDPOINT_FILE = 'http.json';

export interface Endpoint {
  url: string;
  pid: number;
}

export async function writeEndpoint(stateDir: string, endpoint: Endpoint): Promise<void> {
  await writeFile(join(stateDir, ENDPOINT_FILE), `${JSON.stringify(endpoint)}\n`, { mode: 0o600 });
}

export async function readEndpoint(stateDir: string): Promise<Endpoint | undefined> {
  try {
    const raw = JSON.parse(await readFile(join(stateDir, ENDPOINT_FILE), 'utf8')) as Partial<Endpoint>;
    return typeof raw.url === 'string' && typeof raw.pid === 'number'
      ? { url: raw.url, pid: raw.pid }
      : undefined;
  } catch {
    return undefined;
  }
}

export async function removeEndpoint(stateDir: string): Promise<void> {
  await rm(join(stateDir, ENDPOINT_FILE), { force: true });
}
