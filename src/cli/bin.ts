#!/usr/bin/env node
import module from 'node:module';
import { join } from 'node:path';
import { defaultCacheDir } from '../core/paths.js';
import { privateDir } from '../core/private-dir.js';

/**
 * Node 22 and later can keep V8's compiled code of the modules a process loads on disk and read it
 * back next time: each command then starts 10-20 ms sooner (bench/cli-startup.ts). Node runs that
 * code, so it is kept only in a folder nobody else can write (privateDir): never Node's default (a
 * shared folder in /tmp), nor a folder under an empty HOME (the current one) or another user's. It is an
 * optimisation only: Node checks each entry against its source, and without a usable folder (a
 * read-only home under the service's sandbox, a full disk) there is no cache and no message.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no such cache. Enabled before the
 * program's modules load, so they are the ones kept.
 */
function keepCompiledCode(): void {
  const enable = (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function' || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  try {
    const dir = privateDir(join(defaultCacheDir(), 'compile-cache'));
    if (dir) enable(dir);
  } catch {
    // No home folder to name a cache in: start without one.
  }
}

keepCompiledCode();
await import('./main.js');
