import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSystemdUnit, SYSTEMD_UNIT_NAME } from '../../../src/service/systemd-unit.js';

/** systemd-analyze exists on this machine's CI image; elsewhere (macOS) the suite says why it skips. */
const analyzer = await new Promise<boolean>((resolve) =>
  execFile('systemd-analyze', ['--version'], (err) => resolve(!err)),
);

interface Verdict {
  code: number;
  stderr: string;
}

describe.skipIf(!analyzer)('systemd-analyze verify (skipped: systemd-analyze is not installed)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let opts: Parameters<typeof renderSystemdUnit>[0];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vi-unit-'));
    // Odd but legal names: a space needs quoting, '%' and '$' need escaping, or systemd complains.
    const pkg = join(dir, 'my apps', '100% $pkg');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'bin.js'), '');
    // A node whose folder holds '%h': unescaped, systemd would read it as the home directory.
    const nodeDir = join(dir, 'node 50%h');
    await mkdir(nodeDir);
    await symlink(process.execPath, join(nodeDir, 'node'));
    const runtime = join(dir, 'run');
    await mkdir(runtime, { mode: 0o700 });
    env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(dir, 'config') };
    opts = {
      nodePath: join(dir, 'node 50%h', 'node'),
      scriptPath: join(pkg, 'bin.js'),
      configPath: join(dir, 'config', 'video-inbox', 'config.yaml'),
      envFile: join(dir, 'config', 'video-inbox', 'service.env'),
      writablePaths: [join(dir, 'state'), join(dir, 'Videos', 'In box'), join(dir, 'Videos', '50% off')],
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function verify(text: string, name: string): Promise<Verdict> {
    const unitDir = join(dir, name);
    await mkdir(unitDir, { recursive: true });
    const file = join(unitDir, SYSTEMD_UNIT_NAME);
    await writeFile(file, text);
    return new Promise((resolve) =>
      execFile('systemd-analyze', ['--user', 'verify', file], { env }, (err, _stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
  }

  it('accepts the rendered unit without a single warning', async () => {
    const verdict = await verify(renderSystemdUnit(opts), 'sandboxed');
    expect(verdict).toEqual({ code: 0, stderr: '' });
  });

  it('accepts the unit without the sandbox too', async () => {
    const verdict = await verify(renderSystemdUnit({ ...opts, hardening: false }), 'plain');
    expect(verdict).toEqual({ code: 0, stderr: '' });
  });

  it('is a check that can fail: a misspelt key or a missing node is reported', async () => {
    const typo = await verify(
      renderSystemdUnit(opts).replace('Restart=on-failure', 'Restrat=on-failure'),
      'typo',
    );
    expect(typo.stderr).toMatch(/Unknown key/);
    const missing = await verify(renderSystemdUnit({ ...opts, nodePath: join(dir, 'no-node') }), 'missing');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/not executable|No such file/);
  });

  it('is a check that can fail: an unescaped % changes the program systemd would run', async () => {
    const raw = renderSystemdUnit(opts).replace('node 50%%h', 'node 50%h');
    const verdict = await verify(raw, 'percent');
    expect(verdict.code).not.toBe(0);
    expect(verdict.stderr).toMatch(/not executable/);
  });
});
