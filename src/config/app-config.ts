import { resolve } from 'node:path';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  databaseSchema: string;
  embeddedPgPort?: number;
  appSecret?: string;
  cookieSecure: boolean;
  sessionDays: number;
  logRequests: boolean;
  trustProxy: boolean;
  /** How long a user stays shown online after their last page closes, so a reload does not flicker. */
  presenceGraceMs: number;
  /** Where uploaded files are kept. */
  filesDir: string;
  /** The largest file a user may send, in bytes: a file of exactly this size is accepted. */
  fileMaxBytes: number;
  /** Off only for tests and benchmarks that must send faster than a person: the limits in the README. */
  rateLimits: boolean;
  /** Sockets one signed-in session may hold open at once (tabs, windows). */
  socketsPerSession: number;
  /** Webhooks may call private, loopback and link-local addresses (tests, a closed network); off by default against SSRF. */
  webhooksAllowPrivate: boolean;
  /** Images of more pixels (width × height) get no thumbnail and are only ever downloaded, never decoded whole. */
  imageMaxPixels: number;
  /** How often each instance looks for Livechat conversations to route: unanswered ones past their deadline, waiting ones, a consultant gone. */
  livechatSweepMs: number;
  /** How often each instance looks for Callback claims that lapsed (time limit, consultant gone) and retries that are due. */
  callbackSweepMs: number;
  /** New Livechat chats from one address within an hour after which each next one needs a proof-of-work solution. */
  livechatChallengeAfter: number;
  livechatAbandonSeconds: number;
}

function int(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const schema = env.DATABASE_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`DATABASE_SCHEMA must be a plain lower-case identifier, got "${schema}"`);
  }
  return {
    port: int(env.PORT, 3000),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    databaseSchema: schema,
    embeddedPgPort: env.EMBEDDED_PG_PORT ? int(env.EMBEDDED_PG_PORT, 0) : undefined,
    appSecret: env.APP_SECRET || undefined,
    cookieSecure: bool(env.COOKIE_SECURE, false),
    sessionDays: int(env.SESSION_DAYS, 30),
    logRequests: bool(env.LOG_REQUESTS, env.NODE_ENV !== 'test'),
    trustProxy: bool(env.TRUST_PROXY, false),
    presenceGraceMs: int(env.PRESENCE_GRACE_MS, 4000),
    filesDir: resolve(env.FILES_DIR || `${env.DATA_DIR || './data'}/files`),
    fileMaxBytes: int(env.FILE_MAX_BYTES, 25 * 1024 * 1024),
    rateLimits: bool(env.RATE_LIMITS, true),
    socketsPerSession: int(env.SOCKETS_PER_SESSION, 20),
    webhooksAllowPrivate: bool(env.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, false),
    imageMaxPixels: int(env.IMAGE_MAX_PIXELS, 50_000_000),
    livechatSweepMs: int(env.LIVECHAT_SWEEP_MS, 2000),
    callbackSweepMs: int(env.CALLBACK_SWEEP_MS, 1000),
    livechatChallengeAfter: int(env.LIVECHAT_CHALLENGE_AFTER, 10),
    livechatAbandonSeconds: int(env.LIVECHAT_ABANDON_SECONDS, 600),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
