import type { Stage, StageLimiter } from '../engines/stage-limits.js';
import type { Semaphore } from './redis-semaphore.js';

/**
 * The cloud engine's stage limits with some stages also bounded across the cluster: a step first
 * takes this node's slot (`limits.*`), then a shared one, so a node never waits on Redis with more
 * steps than it may run.
 */
export function sharedStageLimiter(
  local: StageLimiter,
  shared: Partial<Record<Stage, Semaphore>>,
): StageLimiter {
  return {
    run(stage, fn, signal) {
      const semaphore = shared[stage];
      return local.run(stage, semaphore ? () => semaphore.use(fn, signal) : fn, signal);
    },
    stats: () => local.stats(),
    setLimits: (limits) => local.setLimits(limits),
  };
}
