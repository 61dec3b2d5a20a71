import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorContext, Exchange } from './context.js';
import { handleControl } from './control.js';
import { FaultQueue, isGateFault } from './faults.js';
import { applyGateFault } from './gate.js';
import { HANDLERS, OTHER_HANDLERS } from './handlers.js';
import { sendJson } from './http-io.js';
import { resolveOptions } from './options.js';
import { createRandom } from './random.js';
import { renderSummaries } from './render-summary.js';
import { route } from './router.js';
import { Store } from './store.js';
import { Tasks } from './tasks.js';
import type { Emulator, EmulatorOptions, RecordedRequest } from './types.js';

/** Starts the NemoVideo API emulator on loopback. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(options);
  const ownsWorkDir = resolved.workDir === undefined;
  const workDir = resolved.workDir ?? (await mkdtemp(join(tmpdir(), 'nemo-emulator-')));
  await mkdir(join(workDir, 'uploads'), { recursive: true });
  await mkdir(join(workDir, 'renders'), { recursive: true });
  const ctx: EmulatorContext = {
    options: resolved,
    random: createRandom(resolved.seed),
    store: new Store(resolved.credits),
    faults: new FaultQueue(),
    requests: [],
    tasks: new Tasks(),
    workDir,
    url: '',
    ffmpeg: process.env.FFMPEG_PATH ?? 'ffmpeg',
    ffprobe: process.env.FFPROBE_PATH ?? 'ffprobe',
  };

  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => failed(res, err));
  });
  // Long instruction streams and stalls are part of the act: never time a client out from here.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  ctx.url = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: ctx.url,
    requests: ctx.requests,
    count: (endpoint) => ctx.requests.filter((r) => r.endpoint === endpoint).length,
    inject: (endpoint, fault, times = 1) => ctx.faults.inject(endpoint, fault, times),
    clearFaults: () => ctx.faults.clear(),
    setCredits: (available) => ctx.store.setCredits(available),
    setRenderPolls: (polls) => {
      ctx.options.renderPolls = polls;
    },
    expireTokens: () => ctx.store.expireTokens(),
    renders: () => renderSummaries(ctx),
    close: () => {
      closing ??= (async () => {
        server.closeAllConnections();
        await ctx.tasks.stop();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

async function handle(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  if (url.pathname.startsWith('/__emulator/')) return handleControl(ctx, req, res, url.pathname);
  const found = route(req.method ?? 'GET', url.pathname);
  const record: RecordedRequest = {
    endpoint: found.endpoint,
    method: req.method ?? 'GET',
    path: url.pathname + url.search,
    headers: { ...req.headers },
    at: Date.now(),
  };
  ctx.requests.push(record);
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const ex: Exchange = {
    ctx,
    req,
    res,
    endpoint: found.endpoint,
    params: found.params,
    record,
    gone: gone.signal,
  };
  if (found.endpoint !== 'other') {
    const fault = ctx.faults.take(found.endpoint);
    if (fault) record.fault = fault;
    if (fault && isGateFault(fault)) {
      if (await applyGateFault(ex, fault)) return;
    } else ex.fault = fault;
  }
  const handler =
    found.endpoint === 'other' ? found.name && OTHER_HANDLERS[found.name] : HANDLERS[found.endpoint];
  if (!handler)
    return sendJson(ex, 404, { code: 404, message: `No route for ${req.method} ${url.pathname}` });
  return handler(ex);
}

function failed(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({ code: 500, message: `Emulator error: ${(err as Error)?.message ?? String(err)}` }),
  );
}
