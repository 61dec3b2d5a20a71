import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, distIsFresh, sigterm, spawnDaemon } from '../daemon/harness.js';
import { localSandbox } from './user-config.js';

cleanUpAfterEach();

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

// Defect 14: the state dir was 0755 and the journal 0644, though they list every file name and folder.
describe.skipIf(!distIsFresh())('state dir permissions (skipped: run `npm run build`)', () => {
  it('a new state dir is 0700, its journal and lock 0600', async () => {
    const sb = await localSandbox();
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    expect(await modeOf(sb.stateDir)).toBe('700');
    expect(await modeOf(join(sb.stateDir, 'journal.log'))).toBe('600');
    expect(await modeOf(join(sb.stateDir, 'daemon.lock'))).toBe('600');
    expect((await sigterm(child)).code).toBe(0);
  });

  it('an existing open state dir and journal are tightened at start', async () => {
    const sb = await localSandbox();
    await mkdir(sb.stateDir, { mode: 0o755 });
    await chmod(sb.stateDir, 0o755);
    await writeFile(join(sb.stateDir, 'journal.log'), '', { mode: 0o644 });
    await chmod(join(sb.stateDir, 'journal.log'), 0o644);
    const child = spawnDaemon(sb);
    await child.waitForLog('Watching inboxes');
    expect(await modeOf(sb.stateDir)).toBe('700');
    expect(await modeOf(join(sb.stateDir, 'journal.log'))).toBe('600');
    expect((await sigterm(child)).code).toBe(0);
  });
});
