import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes, randomUUID } from 'node:crypto';
import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';
import { parse } from 'pg-connection-string';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { createGroup, Page, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { signedIn } from '../support/http-client';
import { underSchemaLock } from '../support/test-app';
import { generateToken } from '../support/integrations';

/**
 * A database that stops answering (paused, a network partition) while connections stay open: a proxy between
 * the app and PostgreSQL holds every byte while "paused". Callers must get an answer, not a hanging request.
 */
class PausableProxy {
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  paused = false;

  constructor(upstream: { host?: string; port?: number; path?: string }) {
    this.server = createServer((client) => {
      const db = upstream.path ? connect(upstream.path) : connect(upstream.port!, upstream.host!);
      const pair: [Socket, Socket] = [client, db];
      this.pairs.add(pair);
      client.pipe(db);
      db.pipe(client);
      // pipe() resumes its source, so a connection the pool opens while paused is held only after piping
      if (this.paused) pair.forEach((s) => s.pause());
      const end = () => {
        client.destroy();
        db.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', end).on('close', end);
      db.on('error', end).on('close', end);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port)));
  }

  pause(): void {
    this.paused = true;
    for (const pair of this.pairs) pair.forEach((s) => s.pause());
  }

  resume(): void {
    this.paused = false;
    for (const pair of this.pairs) pair.forEach((s) => s.resume());
  }

  /** What a restart of PostgreSQL does to its clients: every open connection is cut at once. */
  cut(): number {
    const n = this.pairs.size;
    for (const pair of this.pairs) pair.forEach((s) => s.destroy());
    return n;
  }

  close(): void {
    this.cut();
    this.server.close();
  }
}

describe('the database stops answering', () => {
  let app: NestExpressApplication;
  let proxy: PausableProxy;
  let url: string;
  let em: () => EntityManager;
  const databaseUrl = process.env.DATABASE_URL!;
  const schema = `test_away_${process.pid}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const target = parse(databaseUrl);
    const socketDir = target.host?.startsWith('/') ? target.host : undefined;
    const port = Number(target.port ?? 5432);
    proxy = new PausableProxy(socketDir ? { path: `${socketDir}/.s.PGSQL.${port}` } : { host: target.host ?? '127.0.0.1', port });
    const proxied = new URL('postgres://127.0.0.1');
    proxied.port = String(await proxy.listen());
    proxied.username = target.user ?? 'postgres';
    if (target.password) proxied.password = target.password;
    proxied.pathname = `/${target.database ?? 'postgres'}`;
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_SCHEMA: schema, LOG_REQUESTS: 'false' });
    app = await underSchemaLock(databaseUrl, 'shared', () => createApp(config, proxied.toString(), ['error']));
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const orm = app.get(MikroORM);
    em = () => orm.em.fork() as EntityManager;
  });

  afterAll(async () => {
    proxy.resume();
    await app.close();
    proxy.close();
    await underSchemaLock(databaseUrl, 'exclusive', (admin) => admin.query(`drop schema if exists "${schema}" cascade`));
  });

  it('answers /health with 503 within a second, and an API post with 503 and Retry-After within 5 s; a retry then posts once', async () => {
    await createCompany(em(), { operator: true });
    const company = await createCompany(em(), { apiAddon: true });
    const admin = await createUser(em(), company, { role: 'admin' });
    const ad = await signedIn(url, admin.email);
    const groupId = await createGroup(ad, 'Orders', []);
    const token = await generateToken(ad, groupId);
    expect((await request(url).get('/health')).status).toBe(200);

    proxy.pause();
    let started = Date.now();
    const health = await request(url).get('/health');
    expect(health.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2500);

    const key = randomUUID();
    const post = () => request(url).post('/api/v1/messages').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', key).send({ text: 'while away' });
    started = Date.now();
    const away = await post();
    const waited = Date.now() - started;
    expect(away.status).toBe(503);
    expect(away.headers['retry-after']).toBe('5');
    expect(away.headers['content-type']).toContain('application/problem+json');
    expect(waited).toBeLessThan(7000);
    console.log(`database away: /health answered 503, the API 503 after ${waited} ms`);

    proxy.resume();
    const retried = await post();
    expect([200, 201]).toContain(retried.status);
    const rows = await em().getConnection().execute(`select count(*)::int as n from message where conversation_id = ? and body = 'while away'`, [groupId]);
    expect(rows[0].n).toBe(1);
    expect((await request(url).get('/health')).status).toBe(200);
  }, 60_000);
  it('recovers from a restart (every connection cut): health, sends and live pushes work again, nothing posted twice', async () => {
    const company = await createCompany(em(), { plan: 'enterprise' });
    const [ann, bob] = [await createUser(em(), company), await createUser(em(), company)];
    const annClient = await signedIn(url, ann.email);
    const groupId = await createGroup(annClient, 'After the restart', [bob.id]);
    const bobPage = await Page.open(url, await signedIn(url, bob.email), [groupId]);
    expect((await send(annClient, groupId, 'before')).res.status).toBe(201);
    await bobPage.waitFor(/before/);

    expect(proxy.cut()).toBeGreaterThan(0);
    // The first request after the cut may meet a dead connection and answer 503; within seconds all is well.
    let health = 0;
    for (let i = 0; i < 50 && health !== 200; i++) {
      health = (await request(url).get('/health')).status;
      if (health !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health).toBe(200);
    const clientId = randomUUID();
    let sent = 0;
    for (let i = 0; i < 5 && sent !== 201 && sent !== 200; i++) sent = (await send(annClient, groupId, 'after', clientId)).res.status;
    expect([200, 201]).toContain(sent);
    await bobPage.waitFor(/after/);
    const rows = await em().getConnection().execute(`select count(*)::int as n from message where conversation_id = ? and body = 'after'`, [groupId]);
    expect(rows[0].n).toBe(1);
    bobPage.close();
  }, 60_000);
});
