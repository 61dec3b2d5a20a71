import type { DaemonEvent, Stamped } from './events.js';

/**
 * Publish/subscribe for daemon events, with the last `capacity` events kept in a ring so a client
 * that reconnects with the last id it saw gets what it missed. Ids start at 1 and only grow.
 */
export interface EventBus {
  publish(event: DaemonEvent): Stamped;
  /** Returns the unsubscribe function. A throwing listener never affects the publisher. */
  subscribe(listener: (event: Stamped) => void): () => void;
  /** Events after `lastId` still in the ring, oldest first; `gap` when some were already dropped. */
  since(lastId: number): { events: Stamped[]; gap: boolean };
  readonly lastId: number;
}

export function createEventBus(opts: { capacity?: number; now?: () => number } = {}): EventBus {
  const capacity = Math.max(1, opts.capacity ?? 1000);
  const now = opts.now ?? Date.now;
  const ring: Stamped[] = [];
  const listeners = new Set<(event: Stamped) => void>();
  let lastId = 0;
  return {
    publish(event) {
      const stamped = { ...event, id: ++lastId, at: now() } as Stamped;
      ring.push(stamped);
      if (ring.length > capacity) ring.shift();
      for (const l of [...listeners]) {
        try {
          l(stamped);
        } catch {
          // A listener's failure is its own business.
        }
      }
      return stamped;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    since(after) {
      const events = ring.filter((e) => e.id > after);
      const oldest = ring[0]?.id ?? lastId + 1;
      return { events, gap: after < oldest - 1 && after < lastId };
    },
    get lastId() {
      return lastId;
    },
  };
}
