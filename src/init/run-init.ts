import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import type { InitPlan } from './init-plan.js';
import type { StarterFolder } from './starter-config.js';

export type InitOutcome = 'created' | 'kept' | 'exists';

export interface InitReportLine {
  path: string;
  kind: 'dir' | 'file';
  outcome: InitOutcome;
}

/**
 * Creates what the plan lists. A file that already exists is never touched, not even compared: it may
 * hold the user's edits ('kept'); `wx` makes that true even against a concurrent writer.
 */
export async function applyInitPlan(plan: InitPlan): Promise<InitReportLine[]> {
  const report: InitReportLine[] = [];
  for (const dir of plan.dirs) {
    const made = await mkdir(dir, { recursive: true });
    report.push({ path: dir, kind: 'dir', outcome: made === undefined ? 'exists' : 'created' });
  }
  for (const file of plan.files) {
    try {
      await writeFile(file.path, file.content, { flag: 'wx' });
      report.push({ path: file.path, kind: 'file', outcome: 'created' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      report.push({ path: file.path, kind: 'file', outcome: 'kept' });
    }
  }
  return report;
}

/** The example rules shipped in the package's rules/ folder, by file name. */
export async function readPackageRules(
  packageRoot: string,
  folders: readonly StarterFolder[],
): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const f of folders) {
    const path = join(packageRoot, 'rules', f.rule);
    try {
      texts[f.rule] = await readFile(path, 'utf8');
    } catch (err) {
      throw new VideoInboxError('INTERNAL', `The example rule ${path} is missing from the package`, {
        cause: err,
        hint: 'Reinstall video-inbox (in its clone: npm install && npm install -g .); the package ships its example rules in rules/.',
      });
    }
  }
  return texts;
}
