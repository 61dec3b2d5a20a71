import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const API_KEY_FILE = 'api-key';

/** Reads `<stateDir>/api-key`, creating it (0600, 32 random bytes) at the first start. */
export async function ensureApiKey(stateDir: string): Promise<string> {
  const existing = await readApiKey(stateDir);
  if (existing) return existing;
  await mkdir(stateDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  const file = join(stateDir, API_KEY_FILE);
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another start won the race: use its key.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readApiKey(stateDir))!;
    throw err;
  }
  await chmod(file, 0o600);
  return key;
}

export async function readApiKey(stateDir: string): Promise<string | undefined> {
  try {
    const key = (await readFile(join(stateDir, API_KEY_FILE), 'utf8')).trim();
    return key.length >= 16 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison, so the key cannot be guessed byte by byte from response times. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
