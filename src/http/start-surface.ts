import type { Logger } from '../core/logger.js';
import type { HttpConfig } from '../config/config.js';
import type { EventBus } from '../events/event-bus.js';
import { ensureApiKey } from './api-key.js';
import type { Control } from './control.js';
import { removeEndpoint, writeEndpoint } from './endpoint-file.js';
import { isLoopbackHost } from './host-check.js';
import { createHttpServer } from './server.js';

export interface Surface {
  url: string;
  close(): Promise<void>;
}

export interface SurfaceOptions {
  http: HttpConfig;
  stateDir: string;
  control: Control;
  events: EventBus;
  metrics?: () => Promise<{ contentType: string; body: string }>;
  log: Logger;
  /** The daemon's config when not the default, named in the commands the page prints. */
  printedConfig?: string;
}

/**
 * Starts the page, API and metrics when the config has them on. A surface that cannot start (port
 * taken, a non-loopback address without allowRemote) is logged and skipped: converting videos must
 * not depend on it. Writes `<stateDir>/http.json` so the CLI finds the running daemon.
 */
export async function startSurface(opts: SurfaceOptions): Promise<Surface | undefined> {
  const { http, log } = opts;
  if (http === false) return undefined;
  const loopback = isLoopbackHost(http.host) || http.host === '::1';
  if (!loopback && !http.allowRemote) {
    log.error(
      {
        host: http.host,
        hint: 'Set http.allowRemote: true to listen there, or use an SSH tunnel to 127.0.0.1',
      },
      'Status page not started: a non-loopback address needs http.allowRemote',
    );
    return undefined;
  }
  if (!loopback)
    log.warn(
      { host: http.host },
      'Status page and API listen beyond this machine; anyone with the API key can steer the daemon',
    );
  const apiKey = await ensureApiKey(opts.stateDir);
  const app = createHttpServer({
    control: opts.control,
    events: opts.events,
    apiKey,
    host: http.host,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.printedConfig === undefined ? {} : { printedConfig: opts.printedConfig }),
  });
  try {
    await app.listen({ host: http.host, port: http.port });
  } catch (err) {
    log.error(
      {
        host: http.host,
        port: http.port,
        err: (err as Error).message,
        hint: 'Choose another http.port, or http: false',
      },
      'Status page not started; the daemon runs without it',
    );
    await app.close().catch(() => undefined);
    return undefined;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : http.port;
  const hostPart = http.host.includes(':') ? `[${http.host}]` : http.host;
  const url = `http://${hostPart}:${port}`;
  await writeEndpoint(opts.stateDir, { url, pid: process.pid });
  log.info({ url }, 'Status page and API listening (run `video-inbox open` for a sign-in link)');
  return {
    url,
    async close() {
      await removeEndpoint(opts.stateDir);
      await app.close();
    },
  };
}
