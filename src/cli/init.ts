import type { Command } from 'commander';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { toVideoInboxError } from '../core/errors.js';
import { defaultConfigPath } from '../core/paths.js';
import { planInit } from '../init/init-plan.js';
import { findPackageRoot } from '../init/package-root.js';
import { applyInitPlan, readPackageRules, type InitReportLine } from '../init/run-init.js';
import { STARTER_FOLDERS } from '../init/starter-config.js';
import { EXIT } from './exit-codes.js';
import { shellWord } from './shell-word.js';

/** Everything `init` needs from the machine, so tests can run it in a temporary HOME. */
export interface InitCommandDeps {
  env: Record<string, string | undefined>;
  home: string;
  /** Holds rules/ and docs/schema/; undefined when it cannot be found. */
  packageRoot: string | undefined;
  out: (line: string) => void;
  err: (line: string) => void;
  setExitCode: (code: number) => void;
  /** Set when `start` writes the starter config on a first run: the daemon is starting already. */
  starting?: boolean;
}

export function register(program: Command): void {
  registerInit(program, () => ({
    env: process.env,
    home: homedir(),
    packageRoot: findPackageRoot(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  }));
}

export function registerInit(program: Command, deps: () => InitCommandDeps): void {
  program
    .command('init')
    .argument('[dir]', 'folder for config.yaml, its rules and (when given) the inbox/outbox folders')
    .description(
      'Write a starter config, three example rules and their inbox/outbox folders; never overwrites a file.',
    )
    .action(async (dir: string | undefined) => {
      const d = deps();
      d.setExitCode(await runInit(dir, d));
    });
}

export async function runInit(dir: string | undefined, deps: InitCommandDeps): Promise<number> {
  if (!deps.packageRoot) {
    deps.err('Cannot find the video-inbox package folder (its rules/ and docs/schema/).');
    deps.err('Reinstall video-inbox (in its clone: npm install && npm install -g .) and run init again.');
    return EXIT.FAILED;
  }
  // Without DIR the config goes where `start` looks for it, and the videos somewhere a person looks.
  const configPath =
    dir === undefined ? defaultConfigPath(deps.env, deps.home) : join(resolve(dir), 'config.yaml');
  const configDir = dirname(configPath);
  const videosDir = dir === undefined ? join(deps.home, 'Videos', 'video-inbox') : configDir;
  try {
    const plan = planInit({
      configPath,
      configDir,
      videosDir,
      videosBaseInYaml: dir === undefined ? '~/Videos/video-inbox' : '.',
      schemaDir: join(deps.packageRoot, 'docs', 'schema'),
      ruleTexts: await readPackageRules(deps.packageRoot, STARTER_FOLDERS),
    });
    const report = await applyInitPlan(plan);
    for (const line of report) deps.out(formatLine(line));
    const kept = report.filter((l) => l.outcome === 'kept').length;
    if (kept > 0) deps.out(`${kept} file(s) already existed and were kept as they are.`);
    const configFlag =
      dir === undefined && !deps.env.VIDEO_INBOX_CONFIG ? '' : ` --config ${shellWord(configPath)}`;
    deps.out('');
    deps.out('Next steps:');
    const steps = deps.starting
      ? [
          `The daemon starts now with this config; stop it with Ctrl+C.`,
          `Drop a video into ${plan.example.inbox}; the MP4 appears in ${plan.example.outbox}`,
          `Adjust the config and the rules if you like (saved changes apply at once): ${configPath}, ${join(configDir, 'rules')}`,
          `Keep it running at login: stop this one, then video-inbox service install${configFlag}`,
        ]
      : [
          `Read the config and the rules; adjust them if you like: ${configPath}, ${join(configDir, 'rules')}`,
          `Check them: video-inbox validate${configFlag}`,
          `Start it: video-inbox start${configFlag}`,
          `Drop a video into ${plan.example.inbox}; the MP4 appears in ${plan.example.outbox}`,
          `Keep it running at login: video-inbox service install${configFlag}`,
        ];
    steps.forEach((step, i) => deps.out(`  ${i + 1}. ${step}`));
    deps.out(
      'Set NEMO_TOKEN to use your NemoVideo account; without it a free anonymous token is fetched at first use.',
    );
    return EXIT.OK;
  } catch (caught) {
    // e.g. EACCES on a folder: say what failed instead of a stack trace.
    const err = toVideoInboxError(caught);
    deps.err(err.message);
    if (err.hint) deps.err(err.hint);
    return EXIT.FAILED;
  }
}

function formatLine(line: InitReportLine): string {
  if (line.kind === 'dir') return `${line.outcome === 'created' ? 'created' : 'exists '}  ${line.path}/`;
  return `${line.outcome === 'created' ? 'created' : 'kept   '}  ${line.path}`;
}
