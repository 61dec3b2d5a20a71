/** Why a cluster node takes no new jobs: the person paused it, or its schedule is closed. */
export type HoldReason = 'user' | 'schedule';

export interface HoldableNode {
  pause(): Promise<void>;
  resume(): void;
}

export interface NodeHold {
  /** Sets or clears one reason; the node's workers pause on the first reason and resume on the last. */
  set(reason: HoldReason, on: boolean): Promise<void>;
  has(reason: HoldReason): boolean;
  held(): boolean;
}

/**
 * The reasons a node holds, so one reason ending does not undo another: a window that opens does not
 * resume a node its person paused, and a resume outside the window leaves it held until the window opens.
 */
export function nodeHold(node: HoldableNode): NodeHold {
  const reasons = new Set<HoldReason>();
  let held = false;
  return {
    async set(reason, on) {
      if (on) reasons.add(reason);
      else reasons.delete(reason);
      const want = reasons.size > 0;
      if (want === held) return;
      held = want;
      if (want) await node.pause();
      else node.resume();
    },
    has: (reason) => reasons.has(reason),
    held: () => held,
  };
}
