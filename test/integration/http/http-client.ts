import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor, type Sandbox } from '../daemon/harness.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A raw loopback request (node:http lets a test send any Host header, as an attacker's browser could). */
export function call(
  base: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: opts.method ?? 'GET', headers: { ...opts.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface Api {
  url: string;
  key: string;
  get(path: string): Promise<Reply>;
  post(path: string, body?: unknown): Promise<Reply>;
}

/** The running daemon's address (from <stateDir>/http.json) and its key (from <stateDir>/api-key). */
export async function apiOf(sb: Sandbox, timeoutMs = 30_000): Promise<Api> {
  const endpoint = await waitFor(
    async () => {
      try {
        return JSON.parse(await readFile(join(sb.stateDir, 'http.json'), 'utf8')) as { url: string };
      } catch {
        return undefined;
      }
    },
    timeoutMs,
    'http.json',
  );
  const key = (await readFile(join(sb.stateDir, 'api-key'), 'utf8')).trim();
  const auth = { authorization: `Bearer ${key}` };
  return {
    url: endpoint.url,
    key,
    get: (path) => call(endpoint.url, path, { headers: auth }),
    post: (path, body) =>
      call(endpoint.url, path, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      }),
  };
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Reads server-sent events until `until` says stop (or the time is up); returns them all. */
export function readEvents(
  base: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
  timeoutMs = 60_000,
  path = '/api/events',
): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = '';
    const req = httpRequest(new URL(path, base), { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`events: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let idx;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          const ev: SseEvent = { data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
          }
          if (ev.event || ev.id) events.push(ev);
        }
        if (until(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`events: timed out with ${events.map((e) => e.event).join(',')}`));
    }, timeoutMs);
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}
