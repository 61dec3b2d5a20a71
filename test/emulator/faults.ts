import type { EndpointName, Fault } from './types.js';

interface Pending {
  fault: Fault;
  remaining: number;
}

/** Faults injected per endpoint, consumed first-in first-out by the requests that arrive there. */
export class FaultQueue {
  private readonly queues = new Map<EndpointName, Pending[]>();

  inject(endpoint: EndpointName, fault: Fault, times = 1): void {
    if (!(times > 0)) return;
    const queue = this.queues.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.queues.set(endpoint, queue);
  }

  /** The fault this request meets, if any; each use counts down the injection's `times`. */
  take(endpoint: EndpointName): Fault | undefined {
    const queue = this.queues.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  clear(): void {
    this.queues.clear();
  }
}

/** Faults that replace the answer before the handler runs. */
export type GateFault = Extract<Fault, { kind: 'http' | 'envelope' | 'reset' | 'stall' | 'redirect' }>;
/** Faults that change how the handler's body is delivered. */
export type DeliveryFault = Extract<Fault, { kind: 'slow' | 'reset-midway' }>;

export function isGateFault(fault: Fault): fault is GateFault {
  return (
    fault.kind === 'http' ||
    fault.kind === 'envelope' ||
    fault.kind === 'reset' ||
    fault.kind === 'stall' ||
    fault.kind === 'redirect'
  );
}

export function isDeliveryFault(fault: Fault): fault is DeliveryFault {
  return fault.kind === 'slow' || fault.kind === 'reset-midway';
}
