import { MikroORM } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express from 'express';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { setUpApiDocs } from './integrations/api-docs';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { PUBLIC_DIR, ROOT } from './config/paths';
import { ASSET_VERSION } from './web/asset-version';
import { cleanInput } from './web/clean-input';
import { HttpExceptionFilter } from './web/http-exception.filter';
import { requestId } from './web/request-id';
import { requestLog } from './web/request-log';
import { securityHeaders } from './web/security-headers';
import { viewEnvironment } from './web/view-environment';

/**
 * Builds the whole application on a database, applies pending migrations, and leaves listening to the caller.
 * `onQuery`, when given, hears every SQL statement: the tests and the bench count them with it.
 */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  logger: LogLevel[] | false = ['log', 'warn', 'error'],
  onQuery?: (sql: string) => void,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), { logger, bodyParser: false });
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(requestId);
  if (config.logRequests) app.use(requestLog);
  app.use(securityHeaders);
  app.use('/assets/htmx.js', express.static(join(ROOT, 'node_modules/htmx.org/dist/htmx.min.js'), { maxAge: '1d' }));
  app.use('/assets/details-menu.js', express.static(join(ROOT, 'node_modules/@github/details-menu-element/dist/index.js'), { maxAge: '1d' }));
  app.use('/assets/socket.io.js', express.static(join(ROOT, 'node_modules/socket.io-client/dist/socket.io.min.js'), { maxAge: '1d' }));
  app.use(`/assets/v/${ASSET_VERSION}`, express.static(PUBLIC_DIR, { maxAge: '30d', immutable: true }));
  app.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h' }));
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(express.json({ limit: '200kb' }));
  app.use(cleanInput);
  app.use(cookieParser());

  viewEnvironment().express(app.getHttpAdapter().getInstance());
  app.setViewEngine('njk');
  app.useGlobalFilters(new HttpExceptionFilter());
  if (config.redisUrl) {
    const adapter = new RedisIoAdapter(app, config.redisUrl, `gwar:${config.databaseSchema}`);
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
  }

  setUpApiDocs(app);
  const orm = app.get(MikroORM);
  // Every statement, the ORM's and the hand-prepared ones alike, goes through knex: the tests count them here.
  const knex = (orm.em as EntityManager).getConnection().getKnex();
  if (onQuery) knex.on('query', (query: { sql: string }) => onQuery(query.sql));
  await orm.getMigrator().up();
  await app.init();
  return app;
}
