import type { Notice } from './notifier.js';
import { basename } from 'node:path';

/** The wording of each notification, kept in one place so it stays consistent and testable. */
export const notices = {
  done: (source: string, output: string): Notice => ({
    kind: 'done',
    title: 'Video ready',
    message: `${basename(source)} → ${output}`,
  }),
  failed: (source: string, reason: string, setAsideTo?: string): Notice => ({
    kind: 'failed',
    title: 'Video could not be converted',
    message: `${basename(source)}: ${reason}${setAsideTo ? ` (moved to ${setAsideTo})` : ''}`,
  }),
  credits: (registrationUrl?: string): Notice => ({
    kind: 'credits',
    title: 'Out of NemoVideo credits',
    message: registrationUrl
      ? `Cloud jobs are paused until credits return. Register to continue: ${registrationUrl}`
      : 'Cloud jobs are paused until credits return. Top up your NemoVideo account.',
  }),
  blocked: (source: string): Notice => ({
    kind: 'blocked',
    title: 'Export blocked by your NemoVideo plan',
    message: `${basename(source)}: register or upgrade your plan to unlock export, then run \`video-inbox retry --failed\`.`,
  }),
  /** `kept`: an earlier good version of the file stays in force (false: it never loaded). */
  config: (file: string, problem: string, kept: boolean): Notice => ({
    kind: 'config',
    title: 'video-inbox settings have an error',
    message: `${file}: ${problem}. ${kept ? 'The last good version stays in force.' : 'It never loaded: the files in its folder wait until it loads.'}`,
  }),
};
