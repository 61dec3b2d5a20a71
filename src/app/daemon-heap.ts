import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its initial size (1 MB semi-spaces) for the long-running daemon.
 * Loading the daemon's modules allocates fast enough that V8 grows the young generation to its
 * maximum (16 MB semi-spaces) and never gives the pages back: ~30 MB of resident memory an idle
 * daemon does not use (bench/idle-scale.ts: 130 MB → 103 MB). The daemon's own allocation rate is
 * low (file data lives in Buffers outside the heap), so smaller scavenges cost nothing noticeable.
 *
 * `--max-semi-space-size` only works on the node command line; the growth factor is read each time
 * V8 would grow the space, so setting it here, before the daemon's modules load, applies however
 * the daemon is started (service unit, `video-inbox start`). A Node whose V8 ignores the flag just
 * keeps its default sizing.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
