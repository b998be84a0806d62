import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { createChallenge, randomInt, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppSecretService } from '../security/app-secret.service';
import { LimitsService } from '../security/limits.service';
import { hmac } from '../security/tokens';
import { sql } from './sql';

/** How long a challenge may be solved and sent. */
const VALID_MS = 10 * 60 * 1000;
/**
 * The work: SHA-256 chained 4 times per try, the answer somewhere among 10 000–40 000 tries (about a second in a
 * browser's worker). A bot starting chats by the hundred pays that for each; a person waits once.
 */
const COST = 4;
const COUNTER = [10_000, 40_000] as const;

export type ChallengeCheck = { ok: true } | { ok: false; error: 'livechat.challengeRequired' | 'livechat.challengeFailed' };

/**
 * The proof of work an address past the threshold of new chats in an hour must bring (ALTCHA, solved in the
 * visitor's browser, verified here: no third-party service). A solution is bound to the widget it was asked
 * for, expires, and counts once: a replay is refused.
 */
@Injectable()
export class LivechatChallenge {
  constructor(
    private readonly em: EntityManager,
    private readonly limits: LimitsService,
    private readonly secret: AppSecretService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts a new chat from the address; true when it is past the threshold (so this one needs a solution). */
  async over(companyId: number, address: string): Promise<boolean> {
    const counted = await this.limits.consume('livechatChallenge', `${companyId}:${address}`);
    if (!this.config.rateLimits) return false;
    return 100_000 - counted.remaining > this.config.livechatChallengeAfter;
  }

  async challenge(companyId: number): Promise<Challenge> {
    const keys = await this.keys();
    return createChallenge({
      algorithm: 'SHA-256',
      cost: COST,
      counter: randomInt(COUNTER[1], COUNTER[0]),
      deriveKey,
      hmacSignatureSecret: keys.signature,
      hmacKeySignatureSecret: keys.key,
      expiresAt: new Date(Date.now() + VALID_MS),
      data: { widget: String(companyId) },
    });
  }

  /** The widget's `altcha` field: a base64 JSON of the challenge and its solution. */
  async check(companyId: number, payload: string): Promise<ChallengeCheck> {
    if (!payload) return { ok: false, error: 'livechat.challengeRequired' };
    let parsed: { challenge?: Challenge; solution?: Solution };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as typeof parsed;
    } catch {
      return { ok: false, error: 'livechat.challengeFailed' };
    }
    const { challenge, solution } = parsed;
    if (!challenge?.parameters || !solution || challenge.parameters.data?.widget !== String(companyId)) return { ok: false, error: 'livechat.challengeFailed' };
    const keys = await this.keys();
    const result = await verifySolution({ challenge, solution, deriveKey, hmacSignatureSecret: keys.signature, hmacKeySignatureSecret: keys.key }).catch(
      () => null,
    );
    if (!result?.verified) return { ok: false, error: 'livechat.challengeFailed' };
    // Once only: the nonce is kept until the challenge would have expired anyway.
    const used = await sql(this.em, `insert into livechat_pow_used (id, expires_at) values (?, to_timestamp(?)) on conflict (id) do nothing returning id`, [
      challenge.parameters.nonce,
      Number(challenge.parameters.expiresAt) || Date.now() / 1000 + VALID_MS / 1000,
    ]);
    return used.length ? { ok: true } : { ok: false, error: 'livechat.challengeFailed' };
  }

  private async keys(): Promise<{ signature: string; key: string }> {
    const secret = await this.secret.get();
    return { signature: hmac(secret, 'livechat-pow-signature'), key: hmac(secret, 'livechat-pow-key') };
  }
}
