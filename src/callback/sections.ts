import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { sql } from '../livechat/sql';
import { CALLBACK_ON_DUTY } from './on-duty';
import { CallbackCard, CallbackRequests } from './requests.service';

export interface CallbackSection {
  /** Only a consultant on duty sees the group; everyone else gets an empty, hidden placeholder a push can fill. */
  visible: boolean;
  cards: CallbackCard[];
  waiting: number;
  /** Whose view it is: their own claims carry the outcome form. 0 is everyone else's view. */
  me: number;
  now: number;
}

/** The "CallBack" group in a consultant's panel. */
@Injectable()
export class CallbackSections {
  constructor(
    private readonly em: EntityManager,
    private readonly requests: CallbackRequests,
  ) {}

  async onDuty(companyId: number): Promise<number[]> {
    const rows = await sql<{ id: number }>(this.em, `select u.id from app_user u where u.company_id = ? and ${CALLBACK_ON_DUTY}`, [companyId]);
    return rows.map((r) => r.id);
  }

  async isOnDuty(companyId: number, userId: number): Promise<boolean> {
    const [row] = await sql<{ n: number }>(this.em, `select count(*)::int as n from app_user u where u.company_id = ? and u.id = ? and ${CALLBACK_ON_DUTY}`, [
      companyId,
      userId,
    ]);
    return row.n > 0;
  }

  view(cards: CallbackCard[], me: number): CallbackSection {
    return { visible: true, cards, waiting: cards.filter((c) => c.status === 'waiting' && !c.later).length, me, now: Date.now() };
  }

  async of(companyId: number, userId: number): Promise<CallbackSection> {
    if (!(await this.isOnDuty(companyId, userId))) return { visible: false, cards: [], waiting: 0, me: userId, now: Date.now() };
    return this.view(await this.requests.queue(companyId), userId);
  }
}
