import { HttpException, type Logger } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { z } from 'zod';
import type { GwarSocket } from './realtime.gateway';
import { CLIENT_EVENTS, ClientEvent } from './server-events';

/**
 * Packets a socket may send in a burst: far more than a page needs (joins, a check every few seconds, reads,
 * sends), far less than a script. A socket lives on one instance, so its own count is the right place.
 */
const flood = new RateLimiterMemory({ points: 120, duration: 10 });

/** Drops packets of events nobody listens to, and floods, before any listener sees them. */
export function guardPackets(socket: GwarSocket): void {
  socket.use((packet, next) => {
    const [event] = packet;
    if (typeof event !== 'string' || !Object.hasOwn(CLIENT_EVENTS, event)) return;
    flood.consume(socket.id).then(
      () => next(),
      () => undefined,
    );
  });
}

type Ack = (...args: unknown[]) => void;

/**
 * Listens to one event with its payload read through the event's schema. A payload that does not fit gets the
 * `refused` answer (if it asked for one); whatever the handler throws is logged and answered the same way.
 * Nothing a page sends can throw out of a listener, so no packet can stop the process.
 */
export function listen<E extends ClientEvent>(
  socket: GwarSocket,
  event: E,
  logger: Logger,
  refused: unknown,
  handler: (data: z.output<(typeof CLIENT_EVENTS)[E]>, payload: unknown) => Promise<unknown>,
): void {
  socket.on(event as never, (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
    let answered = false;
    const answer = (value: unknown) => {
      if (answered || !ack) return;
      answered = true;
      try {
        ack(value);
      } catch {
        // a client that cannot take its answer is its own problem
      }
    };
    const parsed = CLIENT_EVENTS[event].safeParse(args[0]);
    if (!parsed.success) return answer(refused);
    let running: Promise<unknown>;
    try {
      running = handler(parsed.data as never, args[0]);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (value) => answer(value),
      (err: unknown) => {
        // Refusals (no chat in the plan, not a member) are answers, not faults.
        if (!(err instanceof HttpException)) logger.error(`${event}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        answer(refused);
      },
    );
  });
}
