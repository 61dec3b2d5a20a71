#!/usr/bin/env node
import module from 'node:module';
import { join } from 'node:path';
import { defaultCacheDir } from '../core/paths.js';

/**
 * Node 22 and later can keep V8's compiled code of the modules a process loads on disk and read it
 * back next time: each command then starts 10-20 ms sooner (bench/cli-startup.ts). The cache is
 * per user (never a shared /tmp folder another user could fill) and an optimisation only: Node
 * checks each entry against its source, and a folder it cannot make or write (a read-only home
 * under the service's sandbox) just means no cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 * Node 20 has no such cache. Enabled before the program's modules load, so they are the ones kept.
 */
function keepCompiledCode(): void {
  const enable = (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    enable(join(defaultCacheDir(), 'compile-cache'));
  } catch {
    // No home folder to name a cache in: start without one.
  }
}

keepCompiledCode();
await import('./main.js');
