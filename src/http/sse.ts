import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus } from '../events/event-bus.js';
import type { Stamped } from '../events/events.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /api/events`: server-sent events. `Last-Event-ID` (sent by EventSource on reconnect, or the
 * `lastEventId` query for a first connection) replays what is still in the ring; if some were lost,
 * a `resync` event tells the client to reload its lists.
 */
export function serveEvents(bus: EventBus, req: FastifyRequest, reply: FastifyReply): void {
  const q = (req.query as { lastEventId?: string }).lastEventId;
  const header = req.headers['last-event-id'];
  const last = Number((Array.isArray(header) ? header[0] : header) ?? q ?? NaN);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (e: Stamped) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  res.write(`retry: 2000\n: connected, last id ${bus.lastId}\n\n`);
  if (Number.isFinite(last)) {
    const { events, gap } = bus.since(last);
    if (gap) res.write(`event: resync\ndata: {}\n\n`);
    for (const e of events) send(e);
  }
  const unsubscribe = bus.subscribe(send);
  const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  beat.unref();
  req.raw.on('close', () => {
    clearInterval(beat);
    unsubscribe();
  });
}
