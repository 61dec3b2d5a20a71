import { cliCommand, shellWord, withConfigFlag } from '../core/cli-command.js';
import { redact } from '../core/secrets.js';

export interface ErrorReportInput {
  /** The file's name as the user dropped it. */
  fileName: string;
  /** Where the file now lies in `_failed/`. */
  failedPath: string;
  code: string;
  message: string;
  hint?: string;
  at?: Date;
  /** The config the daemon runs with, when not the default: every printed command names it. */
  config?: string;
}

const DEFAULT_HINT =
  'Check that the file plays in a video player. If it does, try again with the command below; if it keeps failing, report the error code.';

/** The text of `<name>.error.txt`: what happened, what to do, and how to try again. */
export function errorReportText(input: ErrorReportInput): string {
  const lines = [
    `video-inbox could not convert "${input.fileName}".`,
    '',
    'What happened:',
    `  ${input.message}`,
    `  (error code: ${input.code}${input.at ? `, at ${input.at.toISOString()}` : ''})`,
    '',
    'What to do:',
    `  ${withConfigFlag(input.hint ?? DEFAULT_HINT, input.config)}`,
    '',
    'To try again once the cause is fixed:',
    `  ${cliCommand(`retry ${shellWord(input.failedPath)}`, input.config)}`,
    'or move the file back into the inbox folder.',
    '',
  ];
  return redact(lines.join('\n'));
}
