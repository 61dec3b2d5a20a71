import Fastify, { type FastifyInstance } from 'fastify';
import { cliCommand, withConfigFlag } from '../core/cli-command.js';
import { JOB_STATES, type JobState } from '../domain/job.js';
import type { EventBus } from '../events/event-bus.js';
import type { Control, ActionResult } from './control.js';
import { guard } from './guard.js';
import { PAGE_FILES, readPageFile } from './page-files.js';
import { createSessions, SESSION_COOKIE } from './sessions.js';
import { serveEvents } from './sse.js';

export interface HttpServerOptions {
  control: Control;
  events: EventBus;
  apiKey: string;
  /** The configured listen address, for the Host check. */
  host: string;
  /** Prometheus text for GET /metrics; absent: 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  now?: () => number;
  /** The daemon's config when not the default, named in the commands the page prints. */
  printedConfig?: string;
}

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * The daemon's HTTP surface: status page, REST API, event stream and metrics, all behind one guard
 * (guard.ts). Knows the daemon only through the Control and EventBus ports.
 */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const now = opts.now ?? Date.now;
  const { control } = opts;
  const sessions = createSessions();
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  app.addHook('onRequest', guard({ host: opts.host, apiKey: opts.apiKey, sessions, now }));
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await control.readiness();
    return reply.code(r.ready ? 200 : 503).send(r);
  });

  // The signed-out page names the sign-in command this daemon needs (its config path is no secret).
  const openCommand = escapeHtml(cliCommand('open', opts.printedConfig));
  for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
    app.get(path, async (_req, reply) => {
      const body = await readPageFile(file);
      return reply
        .headers(PAGE_HEADERS)
        .type(type)
        .send(file === 'index.html' ? withOpenCommand(body, openCommand) : body);
    });
  }
  app.get('/open', async (req, reply) => {
    const t = (req.query as { t?: string }).t ?? '';
    const session = sessions.redeem(t, now());
    if (!session) {
      return reply
        .code(403)
        .headers(PAGE_HEADERS)
        .type('text/plain; charset=utf-8')
        .send(
          withConfigFlag(
            'This link was already used or has expired. Run `video-inbox open` for a new one.',
            opts.printedConfig,
          ),
        );
    }
    return reply
      .header(
        'set-cookie',
        `${SESSION_COOKIE}=${session.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800`,
      )
      .headers(PAGE_HEADERS)
      .redirect('/', 303);
  });

  app.get('/api/session', async (req) => ({
    by: req.auth?.by,
    csrf: req.auth?.by === 'session' ? req.auth.session.csrf : undefined,
  }));
  app.post('/api/session/link', async (req, reply) => {
    if (req.auth?.by !== 'key')
      return reply.code(403).send(error('KEY_REQUIRED', 'Only the API key can issue a link'));
    return { path: `/open?t=${sessions.issueLink(now())}`, expiresInSeconds: 300 };
  });

  app.get('/api/folders', async () => ({ folders: control.listFolders() }));
  app.get('/api/jobs', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const states = q.state ? q.state.split(',').filter(Boolean) : undefined;
    const bad = states?.find((s) => !JOB_STATES.includes(s as JobState));
    if (bad)
      return reply
        .code(400)
        .send(error('BAD_FILTER', `Unknown state "${bad}" (one of ${JOB_STATES.join(', ')})`));
    // Read before listing: a client that lists, then streams from this id, misses nothing.
    const lastEventId = opts.events.lastId;
    const offset = Math.max(0, Number(q.offset ?? 0) || 0);
    const limit = Math.min(500, Math.max(1, Number(q.limit ?? 50) || 50));
    const { jobs, total } = await control.listJobs(
      { state: states as JobState[] | undefined, folder: q.folder, q: q.q },
      { offset, limit },
    );
    return { jobs, total, offset, limit, lastEventId };
  });
  app.get('/api/jobs/:id', async (req, reply) => {
    const job = await control.getJob((req.params as { id: string }).id);
    return job ? { job } : reply.code(404).send(error('NOT_FOUND', 'No such job'));
  });
  app.post('/api/jobs/:id/retry', async (req, reply) =>
    action(reply, await control.retry((req.params as { id: string }).id)),
  );
  app.post('/api/jobs/:id/cancel', async (req, reply) =>
    action(reply, await control.cancel((req.params as { id: string }).id)),
  );
  app.get('/api/state', async () => control.pauseState());
  app.post('/api/pause', async (req) => {
    const body = (req.body ?? {}) as { drain?: unknown };
    const drain = body.drain === true || (req.query as { drain?: string }).drain === 'true';
    return control.pause({ drain });
  });
  app.post('/api/resume', async () => control.resume());
  app.get('/api/credits', async () => control.credits());
  app.get('/api/cluster', async (_req, reply) =>
    control.cluster
      ? control.cluster()
      : reply.code(404).send(error('NOT_CLUSTER', 'This daemon does not run in cluster mode')),
  );
  app.get('/api/log', async () => ({ lines: control.recentLog() }));
  app.get('/api/events', (req, reply) => serveEvents(opts.events, req, reply));
  app.get('/metrics', async (_req, reply) => {
    if (!opts.metrics) return reply.code(404).send(error('NOT_FOUND', 'Metrics are off'));
    const { contentType, body } = await opts.metrics();
    return reply.type(contentType).send(body);
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(error('NOT_FOUND', 'No such route')));
  return app;
}

function action(reply: import('fastify').FastifyReply, result: ActionResult) {
  if (result.ok) return reply.send(result);
  return reply.code(result.status).send(error(result.code, result.message));
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

/** The page's `<code id="open-command">` holds the sign-in command as given (already HTML-escaped). */
function withOpenCommand(html: string, command: string): string {
  return html.replace(
    /(<code id="open-command">)[^<]*(<\/code>)/,
    (_m, open: string, close: string) => open + command + close,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
