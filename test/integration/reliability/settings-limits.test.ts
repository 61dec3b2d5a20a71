import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  cleanUpAfterEach,
  distIsFresh,
  drop,
  listFiles,
  localSandbox,
  runCli,
  sigterm,
  startChild,
  useClips,
  waitFor,
  writeAtomic,
} from './user-config.js';

const clips = useClips('vi-limits-media-', 1);

cleanUpAfterEach();

/** A valid rule padded with a comment to `bytes`: only its size is wrong. */
function bigRule(bytes: number): string {
  const head = 'engine: local\n';
  return `${head}# ${'x'.repeat(bytes - head.length - 3)}\n`;
}

/** "Billion laughs": ten levels of nine aliases each, 9^10 values once expanded. */
function aliasBomb(firstLine = ''): string {
  const lines = [firstLine, 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 10; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.filter((l) => l !== '').join('\n')}\n`;
}

// Defect 10: a 50 MB rule cost `validate` 30 s and 2.5 GB, the alias bomb exited 1 with no position.
describe.skipIf(!distIsFresh())(
  'size and alias limits on settings files (skipped: run `npm run build`)',
  () => {
    it('validate refuses a rule file and a config over 1 MB, with file:line and what to do (exit 2)', async () => {
      const sb = await localSandbox();
      await writeFile(sb.rulePath(), bigRule(3 * 1024 * 1024));
      const rule = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(rule.code).toBe(2);
      expect(rule.stderr).toMatch(
        new RegExp(
          `^${sb.rulePath()}:1:1: The file is 3\\.0 MB; a settings file may be at most 1\\.0 MB`,
          'm',
        ),
      );

      await writeAtomic(sb.rulePath(), 'engine: local\n');
      const config = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(config.code).toBe(0);
      await writeFile(sb.configPath, `# ${'y'.repeat(1024 * 1024)}\n`, { flag: 'a' });
      const big = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(big.code).toBe(2);
      expect(big.stderr).toMatch(
        new RegExp(`^${sb.configPath}:1:1: The file is 1\\.0 MB; a settings file`, 'm'),
      );

      // `start` refuses it the same way, before reading it whole.
      const start = await runCli(sb, ['start', '--config', sb.configPath]);
      expect(start.code).toBe(2);
      expect(start.stderr).toContain(`${sb.configPath}:1:1: The file is 1.0 MB`);
    });

    it('validate points at the alias of an alias bomb, in a rule and in the config (exit 2)', async () => {
      const sb = await localSandbox();
      const bomb = aliasBomb('engine: local');
      await writeFile(sb.rulePath(), bomb);
      const rule = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(rule.code).toBe(2);
      // The first alias of an alias: line 4 (`l2: &l2 [*l1,…]`), column of `*l1`.
      expect(rule.stderr).toMatch(new RegExp(`^${sb.rulePath()}:4:10: YAML aliases expand too much`, 'm'));

      await writeAtomic(sb.rulePath(), 'engine: local\n');
      const configText = await readFile(sb.configPath, 'utf8');
      await writeFile(sb.configPath, `${configText}${aliasBomb()}`);
      const config = await runCli(sb, ['validate', '--config', sb.configPath]);
      expect(config.code).toBe(2);
      const line = configText.split('\n').length - 1 + 3;
      expect(config.stderr).toMatch(
        new RegExp(`^${sb.configPath}:${line}:10: YAML aliases expand too much`, 'm'),
      );
    });

    it('a live reload of a bomb or a 50 MB rule keeps the last good rule, and files keep flowing', async () => {
      const sb = await localSandbox();
      const child = await startChild(sb);

      await writeAtomic(sb.rulePath(), aliasBomb('engine: local'));
      const bomb = await child.waitForLog('Settings file has errors');
      expect(String(bomb.issues)).toMatch(/main\.yaml:4:10: YAML aliases expand too much/);

      const seen = child.lines.length;
      await writeAtomic(sb.rulePath(), bigRule(50 * 1024 * 1024));
      const big = await waitFor(
        () =>
          child.lines
            .slice(seen)
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .find((e) => String(e.msg).startsWith('Settings file has errors')),
        60_000,
        `the 50 MB rule refused\n${child.lines.slice(-8).join('\n')}`,
      );
      expect(String(big.issues)).toMatch(/main\.yaml:1:1: The file is 50\.0 MB/);

      await drop(clips[0]!, sb.inbox, 'still-works.avi');
      await waitFor(async () => (await listFiles(sb.outbox)).includes('still-works.mp4'), 60_000, 'output');
      expect((await sigterm(child)).code).toBe(0);
    });
  },
);
