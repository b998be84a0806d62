import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ChatSummary, LivechatChats } from './chats.service';
import { ON_DUTY } from './consultants';
import { sql } from './sql';

export interface Section {
  chats: ChatSummary[];
  onDuty: boolean;
}

/** A consultant's panel section: their open chats, and whether they are on duty to get new ones. */
@Injectable()
export class LivechatSections {
  constructor(
    private readonly em: EntityManager,
    private readonly chats: LivechatChats,
  ) {}

  async of(companyId: number, consultantId: number): Promise<Section> {
    const [duty] = await sql<{ n: number }>(this.em, `select count(*)::int as n from app_user u where u.company_id = ? and ${ON_DUTY} and u.id = ?`, [
      companyId,
      consultantId,
    ]);
    return { chats: await this.chats.ofConsultantAll(companyId, consultantId), onDuty: duty.n > 0 };
  }
}
