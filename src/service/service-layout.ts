import { join } from 'node:path';
import { VideoInboxError } from '../core/errors.js';
import { LAUNCHD_LABEL } from './launchd-plist.js';
import { SYSTEMD_UNIT_NAME } from './systemd-unit.js';

type Env = Record<string, string | undefined>;

export type ServiceKind = 'systemd' | 'launchd';

/** Where the service's files go on this machine. */
export interface ServiceLayout {
  kind: ServiceKind;
  /** The unit or plist. */
  serviceFile: string;
  /** NEMO_TOKEN and friends, mode 0600. */
  envFile: string;
  /** systemd unit name or launchd label. */
  name: string;
  /** launchd only: where StandardOutPath/StandardErrorPath point (systemd logs to the journal). */
  logDir?: string;
}

export function serviceLayout(platform: NodeJS.Platform, home: string, env: Env = {}): ServiceLayout {
  const configHome = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  const envFile = join(configHome, 'video-inbox', 'service.env');
  if (platform === 'linux') {
    return {
      kind: 'systemd',
      serviceFile: join(configHome, 'systemd', 'user', SYSTEMD_UNIT_NAME),
      envFile,
      name: SYSTEMD_UNIT_NAME,
    };
  }
  if (platform === 'darwin') {
    return {
      kind: 'launchd',
      serviceFile: join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
      envFile,
      name: LAUNCHD_LABEL,
      logDir: join(home, 'Library', 'Logs', 'video-inbox'),
    };
  }
  throw new VideoInboxError('INTERNAL', `Installing a service is not supported on ${platform}`, {
    hint: 'Run `video-inbox start` from your system’s own scheduler (for example Task Scheduler at log-on).',
  });
}
