import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { ConfigError, toVideoInboxError } from '../core/errors.js';
import { defaultConfigPath } from '../core/paths.js';
import { redact, registerSecret } from '../core/secrets.js';
import { applyPlan, describePlan, describeStep } from '../service/apply-plan.js';
import { createExecRunner, type CommandRunner } from '../service/command-runner.js';
import { planInstall, planUninstall, type ServicePlan } from '../service/service-plan.js';
import { serviceLayout, type ServiceLayout } from '../service/service-layout.js';
import { stableNodePath } from '../service/stable-node-path.js';
import { formatServiceStatus, readServiceStatus } from '../service/service-status.js';
import { EXIT } from './exit-codes.js';

/** Everything `service` needs from the machine, so tests can run it in a temporary HOME. */
export interface ServiceCommandDeps {
  env: Record<string, string | undefined>;
  home: string;
  uid: number;
  platform: NodeJS.Platform;
  /** Absolute path of node: process.execPath, or a stable link to it on PATH. */
  nodePath: string;
  /** Absolute path of the CLI script, symlinks resolved (npm's bin links point into the package). */
  scriptPath: string;
  run: CommandRunner;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Sets the exit code of the run (process.exitCode in the real CLI). */
  setExitCode: (code: number) => void;
}

interface InstallOptions {
  config?: string;
  dryRun?: boolean;
  sandbox?: boolean;
}

export function register(program: Command): void {
  registerService(program, realServiceDeps);
}

export function registerService(program: Command, deps: () => ServiceCommandDeps): void {
  const service = program
    .command('service')
    .description('Run video-inbox as a login service (systemd user unit on Linux, LaunchAgent on macOS).');
  service
    .command('install')
    .description('Write the unit or plist for this machine, keep secrets in a 0600 env file, and start it.')
    .option('-c, --config <path>', 'config file the service runs with (default: the standard config path)')
    .option('--dry-run', 'print what would be written and run, and change nothing')
    .option(
      '--no-sandbox',
      'systemd: leave out the namespace sandboxing (for systems without user namespaces)',
    )
    .action(async (opts: InstallOptions) => {
      const d = deps();
      d.setExitCode(await serviceInstall(opts, d));
    });
  service
    .command('uninstall')
    .description('Stop and remove the service and its env file; config, rules and videos stay.')
    .option('--dry-run', 'print what would be removed and run, and change nothing')
    .action(async (opts: { dryRun?: boolean }) => {
      const d = deps();
      d.setExitCode(await serviceUninstall(opts, d));
    });
  service
    .command('status')
    .description('Show whether the service is installed and running (exit 0 only when running).')
    .action(async () => {
      const d = deps();
      d.setExitCode(await serviceStatus(d));
    });
}

export async function serviceInstall(opts: InstallOptions, deps: ServiceCommandDeps): Promise<number> {
  registerSecret(deps.env.NEMO_TOKEN);
  return guarded(deps, async () => {
    const layout = serviceLayout(deps.platform, deps.home, deps.env);
    const configPath = resolve(opts.config ?? defaultConfigPath(deps.env, deps.home));
    // A service started on a config that does not load would only crash and restart: check it first.
    const config = await loadConfig(configPath, deps.env, { home: deps.home, platform: deps.platform });
    const plan = planInstall({
      layout,
      uid: deps.uid,
      home: deps.home,
      nodePath: deps.nodePath,
      scriptPath: deps.scriptPath,
      configPath,
      stateDir: config.stateDir,
      folders: config.folders.flatMap((f) => [f.inbox, f.outbox]),
      env: deps.env,
      existing: {
        serviceFile: await readIfExists(layout.serviceFile),
        envFile: await readIfExists(layout.envFile),
      },
      hardening: opts.sandbox !== false,
    });
    return execute(plan, layout, opts.dryRun === true, deps, 'installed');
  });
}

export async function serviceUninstall(
  opts: { dryRun?: boolean },
  deps: ServiceCommandDeps,
): Promise<number> {
  return guarded(deps, async () => {
    const layout = serviceLayout(deps.platform, deps.home, deps.env);
    const present = {
      serviceFile: (await modeOf(layout.serviceFile)) !== undefined,
      envFile: (await modeOf(layout.envFile)) !== undefined,
    };
    if (!present.serviceFile && !present.envFile) {
      deps.out(`Not installed: ${layout.serviceFile} does not exist.`);
    }
    const plan = planUninstall({ layout, uid: deps.uid, present });
    return execute(plan, layout, opts.dryRun === true, deps, 'uninstalled');
  });
}

export async function serviceStatus(deps: ServiceCommandDeps): Promise<number> {
  return guarded(deps, async () => {
    const layout = serviceLayout(deps.platform, deps.home, deps.env);
    const status = await readServiceStatus(layout, { run: deps.run, modeOf, uid: deps.uid });
    for (const line of formatServiceStatus(status)) deps.out(redact(line));
    return status.state === 'running' ? EXIT.OK : EXIT.FAILED;
  });
}

async function execute(
  plan: ServicePlan,
  layout: ServiceLayout,
  dryRun: boolean,
  deps: ServiceCommandDeps,
  done: string,
): Promise<number> {
  if (dryRun) {
    deps.out('Dry run: nothing is written or run.');
    // A folder that is already there is kept as it is: say so instead of "would create".
    const existing = new Map<string, string>();
    for (const step of plan.steps) {
      if (step.kind === 'mkdir' && (await isDirectory(step.path)))
        existing.set(describeStep(step, 'would'), `folder ${step.path} exists (kept as it is)`);
    }
    for (const line of describePlan(plan)) deps.out(existing.get(line) ?? line);
    return EXIT.OK;
  }
  const result = await applyPlan(plan, { run: deps.run, out: deps.out });
  if (!result.ok) {
    deps.err(redact(`Could not finish: ${result.failure?.message ?? 'unknown error'}`));
    deps.err(failureHint(layout, result.failure?.message ?? ''));
    return EXIT.FAILED;
  }
  deps.out(`video-inbox service ${done} (${layout.kind}: ${layout.serviceFile}).`);
  for (const note of plan.notes) deps.out(redact(note));
  return EXIT.OK;
}

function failureHint(layout: ServiceLayout, message: string): string {
  if (layout.kind === 'systemd' && /bus|XDG_RUNTIME_DIR/i.test(message)) {
    return 'systemctl --user needs your own login session: run this as yourself (not through sudo or su) from a desktop or SSH login, then try again.';
  }
  if (/command not found/.test(message)) {
    return `This machine has no ${layout.kind === 'systemd' ? 'systemctl' : 'launchctl'}: run \`video-inbox start\` from your own start-up scripts instead.`;
  }
  return 'Fix the cause shown above and run the same command again; it is safe to repeat.';
}

async function guarded(deps: ServiceCommandDeps, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (caught) {
    // e.g. EACCES on a folder: say what failed and what to do instead of a stack trace.
    const err = toVideoInboxError(caught);
    deps.err(redact(err.message));
    if (err.hint) deps.err(err.hint);
    return err instanceof ConfigError ? EXIT.USAGE : EXIT.FAILED;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return undefined;
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function realServiceDeps(): ServiceCommandDeps {
  const script = process.argv[1] ?? '';
  let scriptPath = resolve(script);
  try {
    scriptPath = realpathSync(script);
  } catch {
    // keep the resolved path; the dry run shows it
  }
  return {
    env: process.env,
    home: homedir(),
    uid: userInfo().uid,
    platform: process.platform,
    nodePath: stableNodePath(process.execPath, process.env.PATH, realpathOrUndefined),
    scriptPath,
    run: createExecRunner(),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
