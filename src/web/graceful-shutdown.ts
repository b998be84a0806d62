import { INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { backgroundWorkDone } from '../database/background-work';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function within(deadline: number, work: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work(), new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}

/**
 * On SIGTERM or SIGINT: stop accepting, answer the requests in flight and close their keep-alive connections,
 * let the pushes they started finish, then the app's own cleanup (this instance's presence rows, the sockets)
 * while the database is still up, then the database. What is still open at the deadline is cut, so the process
 * is gone within 10 s even under load.
 */
export function stopOnSignals(app: INestApplication, stopDatabase: () => Promise<void>, deadlineMs = 7000): void {
  const server: Server = app.getHttpServer();
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // A keep-alive client that keeps sending never lets its connection go idle: answer it, then close.
    if (stopping) res.setHeader('Connection', 'close');
    // Socket.IO's long polls wait for pushes, not for an answer: the sockets are closed with the app.
    if (req.url?.startsWith('/socket.io/')) return;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Gwar`);
    const deadline = Date.now() + deadlineMs;
    setTimeout(() => {
      console.warn(`Connections still open after ${deadlineMs / 1000} s were cut`);
      server.closeAllConnections();
    }, deadlineMs).unref();
    setTimeout(() => {
      console.warn('Gwar did not stop in time: exiting anyway');
      process.exit(1);
    }, deadlineMs + 2500).unref();

    server.close();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
    await within(deadline, async () => {
      while (inFlight.size) await new Promise((resolve) => setTimeout(resolve, 20));
      await nextTurn();
      await backgroundWorkDone();
    });
    let code = 0;
    const report = (err: unknown) => {
      console.error(err);
      code = 1;
    };
    await app.close().catch(report);
    await stopDatabase().catch(report);
    process.exit(code);
  };
  // `on`, not `once`: Ctrl+C under `npm start` arrives twice (from the terminal and forwarded by npm), and a
  // second signal without a listener would kill the process half-way.
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
}

/** Until the app is up, a signal only stops the database (so that none is left running) and exits. */
export function stopDatabaseOnSignals(stopDatabase: () => Promise<void>): void {
  let stopping = false;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void stopDatabase().finally(() => process.exit(130));
    });
  }
}
