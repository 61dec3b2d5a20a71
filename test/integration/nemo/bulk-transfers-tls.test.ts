import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { distIsFresh, root } from '../daemon/harness.js';

const run = promisify(execFile);

// The API and its CDN are reached over https: the bulk transport (node:https, a connection of its
// own) must carry both transfers and check the server's certificate. A child process runs the built
// transport so it can trust a test certificate (NODE_EXTRA_CA_CERTS is read at start-up only).

let dir: string;
let server: Server;
let base: string;
const data = Buffer.alloc(5 * 2 ** 20 + 7);
for (let i = 0; i + 4 <= data.length; i += 4) data.writeUInt32LE(i, i);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-bulk-tls-'));
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
    ...[
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
  ]);
  await writeFile(join(dir, 'data.bin'), data);
  server = createServer(
    { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
    (req, res) => {
      if (req.method === 'GET') return res.end(data);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(String(Buffer.concat(chunks).includes(data))));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** Downloads and uploads `data.bin` through the built transport in a child; prints what it saw. */
const script = (dist: string, file: string, url: string) => `
const { bulkRequest } = await import(${JSON.stringify(join(dist, 'bulk-transport.js'))});
const { multipartFileBody } = await import(${JSON.stringify(join(dist, 'multipart.js'))});
const { readText } = await import(${JSON.stringify(join(dist, 'http-request-parts.js'))});
const { readFileSync } = await import('node:fs');
const data = readFileSync(${JSON.stringify(file)});
try {
  const got = await bulkRequest({ url: ${JSON.stringify(url)}, method: 'GET', headers: {}, signal: new AbortController().signal, idleMs: 20000 });
  const chunks = [];
  for await (const c of got.body) chunks.push(c);
  // The download's own path: the body lent batch by batch from reused buffers.
  const again = await bulkRequest({ url: ${JSON.stringify(url)}, method: 'GET', headers: {}, signal: new AbortController().signal, idleMs: 20000 });
  const lent = [];
  await again.body.lend(async (slices) => { for (const s of slices) lent.push(Buffer.from(s)); });
  const body = multipartFileBody(${JSON.stringify(file)}, data.length);
  const sent = await bulkRequest({ url: ${JSON.stringify(url)}, method: 'POST', signal: new AbortController().signal, idleMs: 0,
    headers: { 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) }, body });
  console.log(JSON.stringify({ download: Buffer.concat(chunks).equals(data), lent: Buffer.concat(lent).equals(data), upload: await readText(sent.body) }));
} catch (err) {
  console.log(JSON.stringify({ error: err.code }));
}`;

async function child(extraCa: boolean): Promise<unknown> {
  const dist = join(root, 'dist', 'src', 'engines', 'nemo');
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: extraCa ? join(dir, 'cert.pem') : '' };
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', script(dist, join(dir, 'data.bin'), `${base}/file.mp4`)],
    { env, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim());
}

describe.skipIf(!distIsFresh())('bulk transfers over https', () => {
  it('download and upload carry every byte to and from a server whose certificate is trusted', async () => {
    expect(await child(true)).toEqual({ download: true, lent: true, upload: 'true' });
  });

  it('refuse a server whose certificate is not trusted', async () => {
    expect(await child(false)).toEqual({ error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});

// The real API and its CDN are reached by host name: the download's own connection must send that
// name (SNI) and check the certificate against it, not against the address it connected to.
describe.skipIf(!distIsFresh())('a download over https from a server known by its host name', () => {
  let named: Server;
  let port: number;
  let namedDir: string;

  beforeAll(async () => {
    namedDir = await mkdtemp(join(tmpdir(), 'vi-bulk-tls-name-'));
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost'],
      ...['-keyout', join(namedDir, 'key.pem'), '-out', join(namedDir, 'cert.pem')],
    ]);
    await writeFile(join(namedDir, 'data.bin'), data);
    const seen: (string | false)[] = [];
    named = createServer(
      {
        key: await readFile(join(namedDir, 'key.pem')),
        cert: await readFile(join(namedDir, 'cert.pem')),
      },
      (req, res) => {
        seen.push((req.socket as { servername?: string | false }).servername ?? false);
        res.setHeader('x-servername', String(seen.at(-1)));
        res.end(data);
      },
    );
    await new Promise<void>((r) => named.listen(0, '127.0.0.1', r));
    port = (named.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => named.close(r));
    await rm(namedDir, { recursive: true, force: true });
  });

  /** The built download path, in a child that trusts the test certificate; prints what it saw. */
  async function download(url: string): Promise<unknown> {
    const dist = join(root, 'dist', 'src', 'engines', 'nemo');
    const code = `
const { bulkRequest } = await import(${JSON.stringify(join(dist, 'bulk-transport.js'))});
const { readFileSync } = await import('node:fs');
const data = readFileSync(${JSON.stringify(join(namedDir, 'data.bin'))});
try {
  const got = await bulkRequest({ url: ${JSON.stringify(url)}, method: 'GET', headers: {}, signal: new AbortController().signal, idleMs: 20000 });
  const lent = [];
  await got.body.lend(async (slices) => { for (const s of slices) lent.push(Buffer.from(s)); });
  console.log(JSON.stringify({ lent: Buffer.concat(lent).equals(data), servername: got.headers['x-servername'] }));
} catch (err) {
  console.log(JSON.stringify({ error: err.code }));
}`;
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(namedDir, 'cert.pem') };
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
      env,
      timeout: 60_000,
    });
    return JSON.parse(stdout.trim());
  }

  it('sends the host name and accepts the certificate issued to it', async () => {
    expect(await download(`https://localhost:${port}/file.mp4`)).toEqual({
      lent: true,
      servername: 'localhost',
    });
  });

  it('refuses the same certificate when the URL names another host (here, the bare address)', async () => {
    expect(await download(`https://127.0.0.1:${port}/file.mp4`)).toEqual({
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });
});
