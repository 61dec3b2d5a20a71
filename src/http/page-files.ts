import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The status page ships as plain files in src/http/page (no bundler); found from src/ or dist/. */
const CANDIDATES = [new URL('./page/', import.meta.url), new URL('../../../src/http/page/', import.meta.url)];

export const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

export async function readPageFile(name: string): Promise<string> {
  for (const dir of CANDIDATES) {
    const path = fileURLToPath(new URL(name, dir));
    if (existsSync(path)) return readFile(path, 'utf8');
  }
  throw new Error(`page file ${name} is missing from the package`);
}
