import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact } from '../../../src/core/secrets.js';
import { renderEnvFile } from '../../../src/service/env-file.js';
import { loadEnvFile } from '../../../src/service/load-env-file.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-envfile-'));
  clearSecrets();
});

afterEach(async () => {
  clearSecrets();
  await rm(dir, { recursive: true, force: true });
});

describe('loadEnvFile (start --env-file)', () => {
  it('fills in what the environment lacks, keeps what it has, and registers the token as a secret', async () => {
    const path = join(dir, 'service.env');
    await writeFile(
      path,
      renderEnvFile({ NEMO_TOKEN: 'nv_file_token_1', NEMO_API_BASE: 'http://127.0.0.1:9' }),
      {
        mode: 0o600,
      },
    );
    const env: Record<string, string | undefined> = { NEMO_API_BASE: 'http://from-shell' };
    const result = await loadEnvFile(path, env);
    expect(result).toEqual({ found: true, applied: ['NEMO_TOKEN'], loose: false });
    expect(env).toEqual({ NEMO_API_BASE: 'http://from-shell', NEMO_TOKEN: 'nv_file_token_1' });
    expect(redact('sent nv_file_token_1')).toBe('sent [redacted]');
  });

  it('reports a file others can read', async () => {
    const path = join(dir, 'service.env');
    await writeFile(path, 'NEMO_TOKEN=abcdefgh\n');
    await chmod(path, 0o644);
    expect(await loadEnvFile(path, {})).toMatchObject({ found: true, loose: true });
  });

  it('a missing file is an answer, not an error', async () => {
    expect(await loadEnvFile(join(dir, 'nope.env'), {})).toEqual({ found: false });
  });
});
