import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * ffmpeg and ffprobe stand-ins for a PATH: each logs its arguments (one line, NUL-separated), then
 * runs the real tool with them. Put `dir` first on a child's PATH and read `calls()` afterwards.
 */
export async function countingTools(dir: string): Promise<{ dir: string; calls(): Promise<ToolCall[]> }> {
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await writeFile(
      join(dir, tool),
      `#!/bin/sh\nprintf '%s' '${tool}' >> '${log}'\nfor a in "$@"; do printf '\\0%s' "$a" >> '${log}'; done\necho >> '${log}'\nexec '${real}' "$@"\n`,
    );
    await chmod(join(dir, tool), 0o755);
  }
  return {
    dir,
    async calls() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [tool = '', ...args] = l.split('\0');
          return { tool, args };
        });
    },
  };
}

export interface ToolCall {
  tool: string;
  args: string[];
}

/** The ffprobe runs that read `path` (not `-version` checks). */
export function probesOf(calls: readonly ToolCall[], path: string): ToolCall[] {
  return calls.filter((c) => c.tool === 'ffprobe' && c.args.includes(path));
}
