import { MikroORM, RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Company } from '../../src/accounts/company.entity';
import { hashPassword } from '../../src/accounts/password.hasher';
import { OPERATOR_PLAN } from '../../src/accounts/plans';
import { User } from '../../src/accounts/user.entity';
import { Conversation } from '../../src/chat/conversation.entity';
import { ConversationsService } from '../../src/chat/conversations.service';
import type { MessageRecord } from '../../src/chat/message.view';
import { MessagesService } from '../../src/chat/messages.service';
import { ReadsService } from '../../src/chat/reads.service';
import { parseCrmForm } from '../../src/crm/crm-form';
import { kindOf } from '../../src/crm/crm-kinds';
import type { CrmRecord } from '../../src/crm/crm-record';
import { CrmService } from '../../src/crm/crm.service';
import { backgroundWorkDone } from '../../src/database/background-work';
import { COMPANY_FILTER } from '../../src/database/company-scope';
import { FILE_STORAGE, FileStorage } from '../../src/files/file-storage';
import { UploadsService } from '../../src/files/uploads.service';
import { hasErrors } from '../../src/web/form';
import { translator } from '../../src/web/i18n/translator';
import { DEMO_EN } from './demo-en';
import { drawDemoFiles, DemoFiles } from './demo-files';
import { DEMO_PL } from './demo-pl';
import { DemoCompany, DemoConversation, DemoLine, DemoRecord, momentOf, orderedMoments } from './demo-script';

export const DEMO_PASSWORD = 'demo-password';
export const OPERATOR_EMAIL = 'operator@demo.gwar.test';
export const DEMO_COMPANIES = [DEMO_PL, DEMO_EN];

export interface DemoOutcome {
  company: DemoCompany;
  /** The company and its people were made now (else they were there). */
  created: boolean;
  /** Its conversations and records were made now (else it already had conversations: the demo ran before). */
  seeded: boolean;
}

/** Lets the work the seeding set off (notifications, pushes) finish before its moments are written on it. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await backgroundWorkDone();
  }
}

const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

/**
 * Creates the demo companies that are not there yet, each with its people, and plays each one's script through the
 * app's own services (so messages get their change sequences, read pointers and link records as real sends do),
 * then moves every moment back to when the script says it happened. A company that has conversations already is
 * left as it is: running the demo again changes nothing.
 */
export async function seedDemo(app: INestApplicationContext, options: { baseUrl: string; now?: Date; companies?: DemoCompany[] }): Promise<DemoOutcome[]> {
  const orm = app.get(MikroORM);
  const now = options.now ?? new Date();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await ensureOperator(orm, passwordHash);
  const outcomes: DemoOutcome[] = [];
  for (const script of options.companies ?? DEMO_COMPANIES) {
    const em = orm.em.fork() as EntityManager;
    const existing = await em.findOne(Company, { name: script.name, isOperator: false }, { filters: false });
    if (existing && (await em.count(Conversation, { company: existing.id }, { filters: false })) > 0) {
      outcomes.push({ company: script, created: false, seeded: false });
      continue;
    }
    const company = existing ?? (await createCompany(em, script, passwordHash, now));
    const files = await drawDemoFiles(script.offer);
    try {
      const scoped = orm.em.fork() as EntityManager;
      scoped.setFilterParams(COMPANY_FILTER, { companyId: company.id });
      await RequestContext.create(scoped, () => new Play(app, scoped, company, script, files, options.baseUrl, now).run());
      await settle();
    } catch (err) {
      await settle();
      await forget(app, company.id, !existing);
      throw err;
    } finally {
      await files.remove();
    }
    outcomes.push({ company: script, created: !existing, seeded: true });
  }
  return outcomes;
}

/** The operator's company and admin, when the setup page has not made them yet. */
async function ensureOperator(orm: MikroORM, passwordHash: string): Promise<void> {
  const em = orm.em.fork();
  if (await em.findOne(Company, { isOperator: true }, { filters: false })) return;
  const operator = new Company('Gwar Operator', OPERATOR_PLAN, true);
  operator.isOperator = true;
  const admin = new User(operator, 'Olga Operator', OPERATOR_EMAIL, 'admin');
  admin.passwordHash = passwordHash;
  // She also answers the Help conversations, so the demo shows both sides of the Help chat.
  admin.supportAgent = true;
  await em.persistAndFlush([operator, admin]);
}

async function createCompany(em: EntityManager, script: DemoCompany, passwordHash: string, now: Date): Promise<Company> {
  return em.transactional(async (tx) => {
    const company = new Company(script.name, script.plan, script.apiAddon);
    company.createdAt = momentOf('D-5 08:00', now);
    tx.persist(company);
    for (const person of script.people) {
      const user = new User(company, person.name, person.email, person.role);
      user.passwordHash = passwordHash;
      user.livechatConfigured = !!person.livechat;
      user.callbackConfigured = !!person.callback;
      user.createdAt = company.createdAt;
      tx.persist(user);
    }
    return company;
  });
}

/** A run that failed part way leaves nothing of itself, its files included: the next run starts afresh. */
async function forget(app: INestApplicationContext, companyId: number, companyToo: boolean): Promise<void> {
  const conn = (app.get(MikroORM).em.fork() as EntityManager).getConnection();
  const storage = app.get<FileStorage>(FILE_STORAGE, { strict: false });
  const files = await conn.execute<{ storage_key: string; thumb_key: string | null }[]>(`select storage_key, thumb_key from attachment where company_id = ?`, [
    companyId,
  ]);
  await Promise.all(files.flatMap((f) => [storage.remove(f.storage_key), f.thumb_key ? storage.remove(f.thumb_key) : Promise.resolve()]));
  if (companyToo) return void (await conn.execute(`delete from company where id = ?`, [companyId]));
  for (const table of ['notification', 'crm_task', 'crm_note', 'crm_opportunity', 'crm_company', 'conversation']) {
    await conn.execute(`delete from "${table}" where company_id = ?`, [companyId]);
  }
}

/** One company's script played through the services, remembering when each thing "happened". */
class Play {
  private readonly people = new Map<string, User>();
  private readonly records = new Map<string, { slug: string; record: CrmRecord }>();
  private readonly messageTimes: { id: number; created: Date; edited: Date | null; deleted: Date | null }[] = [];
  private readonly conversationTimes: { id: number; created: Date }[] = [];
  private lastNotificationId = 0;
  private readonly conversations: ConversationsService;
  private readonly messages: MessagesService;
  private readonly reads: ReadsService;
  private readonly uploads: UploadsService;
  private readonly crm: CrmService;

  constructor(
    app: INestApplicationContext,
    private readonly em: EntityManager,
    private readonly company: Company,
    private readonly script: DemoCompany,
    private readonly files: DemoFiles,
    private readonly baseUrl: string,
    private readonly now: Date,
  ) {
    this.conversations = app.get(ConversationsService, { strict: false });
    this.messages = app.get(MessagesService, { strict: false });
    this.reads = app.get(ReadsService, { strict: false });
    this.uploads = app.get(UploadsService, { strict: false });
    this.crm = app.get(CrmService, { strict: false });
  }

  async run(): Promise<void> {
    const users = await this.em.find(User, { email: { $in: this.script.people.map((p) => p.email) } });
    for (const person of this.script.people) {
      const user = users.find((u) => u.email === person.email);
      if (user) this.people.set(person.key, user);
    }
    for (const record of this.script.records) await this.makeRecord(record, momentOf(record.at, this.now));
    await this.playConversations(this.script.conversations);
    await this.stamp();
  }

  private person(key: string): User {
    const user = this.people.get(key);
    if (!user) throw new Error(`the demo has no person "${key}"`);
    return user;
  }

  private async makeRecord(def: DemoRecord, at: Date, source?: MessageRecord): Promise<void> {
    const kind = kindOf(def.kind)!;
    const actor = this.person(def.by);
    const values: Record<string, string> = { ...def.values };
    // As the form made from a message is filled in: a task describes itself with the message's text.
    if (source && kind.slug === 'tasks' && !values.description) values.description = source.body;
    const due = /^([+-]\d+)$/.exec(values.dueDate ?? '');
    if (due)
      values.dueDate = minutes(this.now, Number(due[1]) * 24 * 60)
        .toISOString()
        .slice(0, 10);
    for (const [field, key] of Object.entries(def.refs ?? {})) {
      values[field] = String(field === 'crmCompany' ? this.records.get(key!)!.record.id : this.person(key!).id);
    }
    // The form's own checks: the demo's records are what a person could have typed.
    const form = parseCrmForm(kind, Object.fromEntries(kind.fields.map((f) => [f.name, values[f.name] ?? ''])));
    const resolved = await this.crm.resolve(kind, form);
    if (hasErrors(form.errors)) throw new Error(`demo record ${def.key}: ${JSON.stringify(form.errors)}`);
    const record = new kind.entity();
    Object.assign(record, { company: actor.company, createdBy: actor, sourceMessageId: source?.id ?? null, createdAt: at, updatedAt: at });
    await this.crm.save(kind, record, resolved, true, actor);
    this.records.set(def.key, { slug: kind.slug, record });
    if (source) {
      const line = translator(this.script.locale)(`crm.createdFrom.${kind.singular}`);
      const sent = await this.crm.announceInConversation(kind, record, actor, source, line, this.baseUrl);
      this.messageTimes.push({ id: sent.id, created: at, edited: null, deleted: null });
    }
    await this.notificationsAt(at);
  }

  /**
   * Opens every conversation, then plays all their lines in the order they happened, across conversations, so
   * that ids (and the notifications they set off) follow the clock as they would have.
   */
  private async playConversations(defs: DemoConversation[]): Promise<void> {
    const timeline: { def: DemoConversation; conversation: Conversation; line: DemoLine; at: Date; sent: Map<string, MessageRecord> }[] = [];
    const opened: { def: DemoConversation; moments: Date[] }[] = defs.map((def) => ({
      def,
      moments: orderedMoments(
        def.lines.map((l) => l.at),
        this.now,
      ),
    }));
    opened.sort((a, b) => a.moments[0].getTime() - b.moments[0].getTime());
    const conversations = new Map<DemoConversation, Conversation>();
    for (const { def, moments } of opened) {
      const conversation = def.group
        ? await this.conversations.createGroup(this.person(def.group.by), { name: def.group.name, memberIds: def.group.members.map((k) => this.person(k).id) })
        : await this.conversations.direct(this.person(def.direct![0]), this.person(def.direct![1]).id);
      conversations.set(def, conversation);
      const at = minutes(moments[0], -20);
      this.conversationTimes.push({ id: conversation.id, created: at });
      await this.notificationsAt(at);
      const sent = new Map<string, MessageRecord>();
      def.lines.forEach((line, i) => timeline.push({ def, conversation, line, at: moments[i], sent }));
    }
    timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const { conversation, line, at, sent } of timeline) {
      const record = await this.say(conversation, line, sent);
      if (line.key) sent.set(line.key, record);
      const times = { id: record.id, created: at, edited: null as Date | null, deleted: null as Date | null };
      this.messageTimes.push(times);
      const author = this.person(line.from);
      if (line.editedTo) {
        await this.messages.edit(author, record.id, line.editedTo.text);
        times.edited = minutes(at, line.editedTo.after);
      }
      if (line.deletedAfter !== undefined) {
        await this.messages.delete(author, record.id);
        times.deleted = minutes(at, line.deletedAfter);
      }
      if (line.text?.includes('@')) await this.notificationsAt(at);
      if (line.makes) await this.makeRecord(line.makes, minutes(at, line.makes.after), record);
    }
    for (const def of defs) await this.read(conversations.get(def)!, def);
  }

  private async say(conversation: Conversation, line: DemoLine, sent: Map<string, MessageRecord>): Promise<MessageRecord> {
    const sender = { user: { id: this.person(line.from).id }, mustBeMember: true };
    if (line.file) {
      const stored = await this.uploads.storeFile(sender, conversation, randomUUID(), this.files.path(line.file), line.fileName ?? line.file);
      if (!stored.ok) throw new Error(`demo file ${line.file}: ${stored.error}`);
      return stored.record;
    }
    const text = (line.text ?? '').replace(/\{crm:(\w+)\}/g, (_whole, key: string) => {
      const found = this.records.get(key);
      if (!found) throw new Error(`the demo has no record "${key}"`);
      return `${this.baseUrl}/crm/${found.slug}/${found.record.id}`;
    });
    const replyTo = line.replyTo ? sent.get(line.replyTo)?.id : undefined;
    const { record } = await this.messages.send(sender, { id: conversation.id, companyId: this.company.id }, randomUUID(), text, replyTo);
    return record;
  }

  /** Everyone has read the conversation, but for the last few messages of others that the script leaves unread. */
  private async read(conversation: Conversation, def: DemoConversation): Promise<void> {
    const rows = await this.em
      .getConnection()
      .execute<{ id: string; author_id: number | null; deleted: boolean }[]>(
        `select id, author_id, deleted_at is not null as deleted from message where conversation_id = ? and company_id = ? order by id`,
        [conversation.id, this.company.id],
      );
    const keys = def.group ? [def.group.by, ...def.group.members] : def.direct!;
    for (const key of new Set(keys)) {
      const user = this.person(key);
      let upTo = Number(rows.at(-1)?.id ?? 0);
      let left = def.unread?.[key] ?? 0;
      for (let i = rows.length - 1; i >= 0 && left > 0; i--) {
        if (rows[i].author_id === user.id || rows[i].deleted) continue;
        left--;
        upTo = i > 0 ? Number(rows[i - 1].id) : 0;
      }
      const membership = { conversation: { id: conversation.id }, user: { id: user.id }, company: { id: this.company.id } };
      await this.reads.markRead(membership as never, upTo);
    }
  }

  /** Notifications made since the last call "happened" at this moment. */
  private async notificationsAt(at: Date): Promise<void> {
    await settle();
    const [row] = await this.em
      .getConnection()
      .execute<{ last: number | null }[]>(
        `with stamped as (update notification set created_at = ? where company_id = ? and id > ? returning id) select max(id) as last from stamped`,
        [at, this.company.id, this.lastNotificationId],
      );
    if (row?.last) this.lastNotificationId = row.last;
  }

  /** Moves what the services stored "now" back to the moments of the script. */
  private async stamp(): Promise<void> {
    const conn = this.em.getConnection();
    const companyId = this.company.id;
    await conn.execute(
      `update message m set created_at = v.created, edited_at = case when m.edited_at is null then null else v.edited end,
              deleted_at = case when m.deleted_at is null then null else v.deleted end
         from json_to_recordset(?::json) as v(id bigint, created timestamptz, edited timestamptz, deleted timestamptz)
        where m.id = v.id and m.company_id = ?`,
      [JSON.stringify(this.messageTimes), companyId],
    );
    await conn.execute(`update attachment a set created_at = m.created_at from message m where a.message_id = m.id and a.company_id = ? and m.company_id = ?`, [
      companyId,
      companyId,
    ]);
    await conn.execute(
      `update conversation c set created_at = v.created,
              last_message_at = (select max(m.created_at) from message m where m.conversation_id = c.id and m.company_id = c.company_id)
         from json_to_recordset(?::json) as v(id int, created timestamptz)
        where c.id = v.id and c.company_id = ?`,
      [JSON.stringify(this.conversationTimes), companyId],
    );
    await conn.execute(
      `update conversation_member cm set joined_at = c.created_at from conversation c
        where c.id = cm.conversation_id and c.company_id = cm.company_id and cm.company_id = ?`,
      [companyId],
    );
    // What came more than a day ago has been seen; today's notifications wait on the bell.
    await conn.execute(
      `update notification set read_at = created_at + interval '1 hour' where company_id = ? and created_at < ?::timestamptz - interval '20 hours'`,
      [companyId, this.now],
    );
  }
}
