import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

// Loaded only with REDIS_URL: the Redis client is about a sixth of the modules every start loads.
type Redis = typeof import('redis');
type RedisAdapter = typeof import('@socket.io/redis-adapter');

/** With REDIS_URL, pushes made on one instance reach the sockets held by every other instance. */
export class RedisIoAdapter extends IoAdapter {
  private readonly publisher: ReturnType<Redis['createClient']>;
  private readonly subscriber: ReturnType<Redis['createClient']>;

  /** `channel` keeps deployments that share one Redis apart (we use the database schema). */
  constructor(
    app: INestApplicationContext,
    url: string,
    private readonly channel: string,
  ) {
    super(app);
    const { createClient } = require('redis') as Redis;
    this.publisher = createClient({ url });
    this.subscriber = this.publisher.duplicate();
  }

  async connect(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    const { createAdapter } = require('@socket.io/redis-adapter') as RedisAdapter;
    server.adapter(createAdapter(this.publisher, this.subscriber, { key: this.channel }));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
  }
}
