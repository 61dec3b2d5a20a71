import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, type AtomicWriteFs } from '../../core/atomic-write.js';

/** What is kept between runs: one client id for the install, and the anonymous token it earned. */
export interface StoredCredentials {
  clientId: string;
  token?: string;
  userId?: string;
  /** Epoch ms. */
  expiresAt?: number;
  /** The API base the token belongs to; a token of another server is never sent. */
  baseUrl?: string;
  /**
   * Epoch ms a token request was sent under `clientId` whose answer was never read (lost in
   * transit, or the process died): the server may have issued a token we never saw, so the next
   * request uses a new client id.
   */
  tokenRequestedAt?: number;
}

export const CREDENTIALS_FILE = 'nemo-credentials.json';

/** Reads and writes `<stateDir>/nemo-credentials.json`, only ever with mode 0600. */
export class CredentialsStore {
  readonly path: string;

  constructor(
    private readonly stateDir: string,
    private readonly fs: AtomicWriteFs,
  ) {
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

  /** Atomic, and only ever 0600: see writeFileAtomic. */
  async write(creds: StoredCredentials): Promise<void> {
    await this.ensureDir();
    await writeFileAtomic(this.fs, this.path, `${JSON.stringify(creds, null, 2)}\n`, 0o600);
  }
}
