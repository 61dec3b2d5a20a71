import { readFile, stat } from 'node:fs/promises';
import { registerSecret } from '../core/secrets.js';
import { parseEnvFile, SECRET_ENV_KEYS } from './env-file.js';

export type EnvFileLoad =
  | { found: false }
  | {
      found: true;
      /** Keys copied into the environment (those it did not already have). */
      applied: string[];
      /** The file is readable by group or others: worth a warning, since it may hold a token. */
      loose: boolean;
    };

/**
 * For `start --env-file PATH` (the LaunchAgent's way to get NEMO_TOKEN without putting it in the
 * plist): copies the file's variables into `env` where `env` has none, as Node's own
 * `process.loadEnvFile` and dotenv do, and registers secrets before anything can log them. A missing
 * file is an answer, not an error, so a deleted env file never turns into a restart loop.
 */
export async function loadEnvFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<EnvFileLoad> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mode)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { found: false };
    throw err;
  }
  const applied: string[] = [];
  for (const [key, value] of Object.entries(parseEnvFile(text))) {
    if (SECRET_ENV_KEYS.has(key)) registerSecret(value);
    if (env[key] !== undefined && env[key] !== '') continue;
    env[key] = value;
    applied.push(key);
  }
  return { found: true, applied, loose: (mode & 0o077) !== 0 };
}
