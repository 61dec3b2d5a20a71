import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real binary, as a user runs it: built code, real deps, package root found from dist/. `npm test`
 * builds first (pretest); a plain `npx vitest run` without a fresh build skips this file.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
const fresh = ['cli/init', 'cli/service', 'cli/commands', 'service/service-plan'].every((m) => {
  const built = join(root, 'dist', 'src', `${m}.js`);
  return existsSync(built) && statSync(built).mtimeMs >= statSync(join(root, 'src', `${m}.ts`)).mtimeMs;
});

const TOKEN = 'nv_child_token_987654321';

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [bin, ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe.skipIf(!fresh)('the built CLI in a temporary HOME (skipped: run `npm run build` first)', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vi-child-'));
    // Only what a login shell would pass; nothing from the developer's own config leaks in.
    env = { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8' };
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('init, then service install --dry-run, which touches nothing and shows no token', async () => {
    const init = await run(['init'], env);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`created  ${join(home, '.config', 'video-inbox', 'config.yaml')}`);
    const config = await readFile(join(home, '.config', 'video-inbox', 'config.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe(
      `# yaml-language-server: $schema=${join(root, 'docs', 'schema', 'config.schema.json')}`,
    );

    // Everything but Node's compiled-code cache (Node 22+, bin.ts), which any command may add to.
    const files = async () =>
      (await readdir(home, { recursive: true }))
        .filter((p) => !p.startsWith(join('.cache', 'video-inbox')))
        .sort();
    const before = await files();
    const dry = await run(['service', 'install', '--dry-run'], { ...env, NEMO_TOKEN: TOKEN });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`    ExecStart=`);
    expect(dry.stdout).toContain(
      `${bin} start --config ${join(home, '.config', 'video-inbox', 'config.yaml')}`,
    );
    expect(dry.stdout).toContain('(holds NEMO_TOKEN; values not shown)');
    expect(dry.stdout + dry.stderr).not.toContain(TOKEN);
    expect(await files()).toEqual(before);

    const again = await run(['init'], env);
    expect(again.stdout).toContain('4 file(s) already existed and were kept as they are.');
  });
});
