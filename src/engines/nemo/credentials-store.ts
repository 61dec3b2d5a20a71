import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** What is kept between runs: one client id for the install, and the anonymous token it earned. */
export interface StoredCredentials {
  clientId: string;
  token?: string;
  userId?: string;
  /** Epoch ms. */
  expiresAt?: number;
  /** The API base the token belongs to; a token of another server is never sent. */
  baseUrl?: string;
}

export const CREDENTIALS_FILE = 'nemo-credentials.json';

/** Reads and writes `<stateDir>/nemo-credentials.json`, only ever with mode 0600. */
export class CredentialsStore {
  readonly path: string;

  constructor(private readonly stateDir: string) {
    this.path = join(stateDir, CREDENTIALS_FILE);
  }

  async read(): Promise<StoredCredentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoredCredentials>;
      if (typeof parsed.clientId !== 'string' || parsed.clientId === '' || parsed.clientId.length > 64) {
        return undefined;
      }
      return parsed as StoredCredentials;
    } catch {
      // A torn or hand-edited file: start over with a new client id rather than refusing to work.
      return undefined;
    }
  }

  async ensureDir(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
  }

  /** Atomic: a temp file created 0600, flushed, then renamed over the old one. */
  async write(creds: StoredCredentials): Promise<void> {
    await this.ensureDir();
    const tmp = `${this.path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(creds, null, 2)}\n`, 'utf8');
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
