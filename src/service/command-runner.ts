import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; 127 when the command does not exist. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; injected so tests can record and answer the commands. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>;

export function createExecRunner(timeoutMs = 60_000): CommandRunner {
  return (command, args) =>
    new Promise((resolve) => {
      execFile(command, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string };
        if (e.code === 'ENOENT')
          return resolve({ code: 127, stdout, stderr: `${command}: command not found` });
        resolve({ code: typeof e.code === 'number' ? e.code : 1, stdout, stderr: stderr || e.message });
      });
    });
}
