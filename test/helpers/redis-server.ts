import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * A real Debian `redis-server` for one test file: a free loopback port, its own temp dir, AOF on
 * (`--appendonly yes`, no RDB snapshots), as docs/SCALING.md asks of a production server.
 * `stop` + `start` is a restart that keeps the data (the AOF); `close` removes everything.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  start(): Promise<void>;
  /** SIGTERM: Redis flushes the AOF and exits. */
  stop(): Promise<void>;
  close(): Promise<void>;
  /** A client for assertions (closed by `close`). */
  client(): Redis;
}

export async function startRedisServer(opts: { password?: string } = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vi-redis-'));
  let port = await freePort();
  let proc: ChildProcess | undefined;
  const clients: Redis[] = [];
  const server: RedisServer = {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}/0`;
    },
    dir,
    async start() {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--save',
          '',
          '--maxmemory-policy',
          'noeviction',
          ...(opts.password ? ['--requirepass', opts.password] : []),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      proc = child;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 20_000);
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}:\n${out}`));
        });
      });
    },
    async stop() {
      const child = proc;
      proc = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
    async close() {
      for (const c of clients) c.disconnect();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    client() {
      const c = new Redis({ host: '127.0.0.1', port, password: opts.password, maxRetriesPerRequest: 3 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
  };
  // The free port was free a moment ago: another process may have taken it since. Take another.
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      return server;
    } catch (err) {
      if (attempt >= 5 || !/Address already in use/i.test((err as Error).message)) throw err;
      port = await freePort();
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
