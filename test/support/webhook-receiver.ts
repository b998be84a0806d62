import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { settle } from './chat';

export interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
  json: {
    event: string;
    deliveryId: number;
    message: { id: number; groupId: number; text: string; replyToId: number | null; author: { type: string; name: string } };
  };
}

/** A receiver on loopback, as an integrator would run one: it records each call and answers what `answer` says. */
export class Receiver {
  readonly calls: Received[] = [];
  /** The status to answer, or 'hang' to keep the caller waiting (an integrator's server that stalls). */
  answer: (call: Received) => number | 'hang' = () => 200;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const call = { at: Date.now(), headers: req.headers, body, json: JSON.parse(body) as Received['json'] };
        this.calls.push(call);
        const status = this.answer(call);
        if (status !== 'hang') res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async waitFor(count: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.calls.length < count && Date.now() < deadline) await settle(50);
    if (this.calls.length < count) throw new Error(`${this.calls.length} of ${count} calls within ${timeoutMs} ms`);
    return this.calls;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
