import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach, distIsFresh, makeSandbox, runCli } from './harness.js';

cleanUpAfterEach();

/** Issue 3, "Done when" 5 (validate): exit 0 when all is valid, exit 2 and file:line:column when not. */
describe.skipIf(!distIsFresh())('video-inbox validate (skipped: run `npm run build` first)', () => {
  it('passes a valid config and its rules, and points at each problem in a broken rule or config', async () => {
    const sb = await makeSandbox({ config: { folders: ['second'] } });
    const ok = await runCli(sb, ['validate', '--config', sb.configPath]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`OK: ${sb.configPath}`);

    // A misspelt key on line 3 of one rule file, and bad YAML on line 2 of the other.
    await sb.writeRule(
      'skill: video-converter-best\ninstruction: Convert {name}\noutptu: { name: "{stem}.mp4" }\n',
    );
    await sb.writeRule('skill: video-converter-best\ninstruction: [Convert\n', 'second');
    const broken = await runCli(sb, ['validate', '--config', sb.configPath]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`^${sb.rulePath()}:3:1: .*outptu`, 'm'));
    expect(broken.stderr).toMatch(new RegExp(`^${sb.rulePath('second')}:\\d+:\\d+: `, 'm'));
    expect(broken.stderr).toContain('2 problem(s) found');

    // A config value of the wrong type: its own line and column.
    await sb.writeRule({});
    await sb.writeRule({}, 'second');
    const text = await readFile(sb.configPath, 'utf8');
    await writeFile(sb.configPath, text.replace(/^concurrency: \d+$/m, 'concurrency: many'));
    const line = text.split('\n').findIndex((l) => l.startsWith('concurrency:')) + 1;
    const badConfig = await runCli(sb, ['validate', '--config', sb.configPath]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(new RegExp(`^${sb.configPath}:${line}:14: concurrency: `, 'm'));
  });
});
