import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeAtomicWriteFs, writeFileAtomic } from '../core/atomic-write.js';
import { shellWord } from '../core/cli-command.js';
import { redact } from '../core/secrets.js';
import type { CommandRunner } from './command-runner.js';
import { parseEnvFile } from './env-file.js';
import type { PlanStep, ServicePlan } from './service-plan.js';

export interface ApplyResult {
  ok: boolean;
  /** The step that failed and why (stderr of the command, or the fs error). */
  failure?: { step: PlanStep; message: string };
}

/** Carries out a plan in order, printing one line per step; stops at the first step that fails. */
export async function applyPlan(
  plan: ServicePlan,
  deps: { run: CommandRunner; out: (line: string) => void },
): Promise<ApplyResult> {
  for (const step of plan.steps) {
    try {
      const message = await applyStep(step, deps.run);
      if (message === undefined) {
        deps.out(redact(describeStep(step, 'done')));
        continue;
      }
      if (step.kind === 'run' && step.ignoreFailure) {
        deps.out(redact(`${describeStep(step, 'done')} (nothing to do: ${firstLine(message)})`));
        continue;
      }
      deps.out(redact(`${describeStep(step, 'done')}: FAILED: ${message}`));
      return { ok: false, failure: { step, message: redact(message) } };
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err));
      deps.out(`${redact(describeStep(step, 'done'))}: FAILED: ${message}`);
      return { ok: false, failure: { step, message } };
    }
  }
  return { ok: true };
}

/** Returns a failure message for a command that exited badly; throws on fs errors. */
async function applyStep(step: PlanStep, run: CommandRunner): Promise<string | undefined> {
  switch (step.kind) {
    case 'mkdir':
      await mkdir(step.path, { recursive: true, ...(step.mode === undefined ? {} : { mode: step.mode }) });
      return undefined;
    case 'write':
      if (!step.unchanged) await writeAtomic(step.path, step.content, step.mode);
      // A file someone loosened by hand is tightened again even when its text is unchanged.
      else if (step.secret) await chmod(step.path, step.mode);
      return undefined;
    case 'remove':
      await rm(step.path, { force: true });
      return undefined;
    case 'run': {
      const result = await run(step.command, step.args);
      if (result.code === 0) return undefined;
      return (result.stderr || result.stdout).trim() || `exit code ${result.code}`;
    }
  }
}

/**
 * Written under a temp name created with the final mode, then renamed: a token is never readable by
 * others, not even for a moment, and a crash never leaves half a unit file.
 */
async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(nodeAtomicWriteFs, path, content, mode);
}

/** One line per step, for `--dry-run` ('would') and for the record of what was done ('done'). */
export function describeStep(step: PlanStep, mood: 'would' | 'done'): string {
  const verb = (would: string, done: string) => (mood === 'would' ? would : done);
  switch (step.kind) {
    case 'mkdir':
      return `${verb('would create folder', 'folder')} ${step.path}${step.mode === undefined ? '' : ` (mode ${octal(step.mode)})`}`;
    case 'write': {
      const state = step.unchanged ? ' (unchanged)' : '';
      return `${verb('would write', 'wrote')} ${step.path} (mode ${octal(step.mode)})${state}`;
    }
    case 'remove':
      return `${verb('would remove', 'removed')} ${step.path}`;
    case 'run':
      return `${verb('would run', 'ran')}: ${[step.command, ...step.args].map(shellWord).join(' ')}`;
  }
}

/** What `--dry-run` prints: every step, the text of each file (secrets shown by name only), the notes. */
export function describePlan(plan: ServicePlan): string[] {
  const lines: string[] = [];
  for (const step of plan.steps) {
    lines.push(describeStep(step, 'would'));
    if (step.kind !== 'write' || step.unchanged) continue;
    if (step.secret) {
      const keys = Object.keys(parseEnvFile(step.content));
      lines.push(`    (holds ${keys.length > 0 ? keys.join(', ') : 'no variables yet'}; values not shown)`);
    } else {
      lines.push(
        ...step.content
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
      );
    }
  }
  lines.push(...plan.notes);
  return lines.map(redact);
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
