import { cliCommand } from '../core/cli-command.js';
import { VideoInboxError } from '../core/errors.js';
import { readApiKey } from '../http/api-key.js';
import { readEndpoint } from '../http/endpoint-file.js';
import { readLockOwner } from '../jobs/lock.js';

export interface DaemonClient {
  url: string;
  pid: number;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/**
 * The running daemon's API as the CLI reaches it: the address from `<stateDir>/http.json`, the key
 * from `<stateDir>/api-key`. Undefined when no daemon runs there or it has no HTTP surface.
 */
export async function findDaemon(stateDir: string): Promise<DaemonClient | undefined> {
  const owner = await readLockOwner(stateDir);
  const endpoint = await readEndpoint(stateDir);
  const key = await readApiKey(stateDir);
  if (!owner || !endpoint || !key || endpoint.pid !== owner.pid) return undefined;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    let res;
    try {
      // Node's own fetch: the undici package stays out of the light commands (status, pause, open).
      res = await fetch(`${endpoint.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (cause) {
      throw new VideoInboxError('DAEMON_NOT_RUNNING', `The daemon at ${endpoint.url} does not answer`, {
        cause,
        hint: 'Is `video-inbox start` running? Its log says why the page did not start.',
      });
    }
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.status >= 400) {
      const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new VideoInboxError('INTERNAL', `The daemon refused: ${e?.message ?? `HTTP ${res.status}`}`, {
        context: { status: res.status, code: e?.code },
      });
    }
    return parsed as T;
  };
  return {
    url: endpoint.url,
    pid: owner.pid,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
  };
}

/** `config` is the --config the person gave, repeated in the command the hint prints. */
export async function requireDaemon(stateDir: string, config?: string): Promise<DaemonClient> {
  const client = await findDaemon(stateDir);
  if (client) return client;
  const owner = await readLockOwner(stateDir);
  if (owner) {
    // Running, but its page did not start (say the port was taken): starting another would exit 4.
    throw new VideoInboxError(
      'DAEMON_NOT_RUNNING',
      `The daemon (pid ${owner.pid}) runs without its page and API`,
      {
        hint: 'Its log says why (another program on its http port?); set another `http.port` in the config, then restart it.',
      },
    );
  }
  throw new VideoInboxError('DAEMON_NOT_RUNNING', 'No running daemon with its page and API was found', {
    hint: `Start it with \`${cliCommand('start', config)}\` (and keep \`http\` on in the config).`,
  });
}
