import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { Company } from '../../src/accounts/company.entity';
import { User } from '../../src/accounts/user.entity';
import { Attachment } from '../../src/chat/attachment.entity';
import { ConversationMember } from '../../src/chat/conversation-member.entity';
import { Message } from '../../src/chat/message.entity';
import { CrmCompany } from '../../src/crm/crm-company.entity';
import { KINDS } from '../../src/crm/crm-kinds';
import { CrmNote } from '../../src/crm/crm-note.entity';
import { CrmOpportunity } from '../../src/crm/crm-opportunity.entity';
import { CrmTask } from '../../src/crm/crm-task.entity';
import { GroupApiToken } from '../../src/integrations/group-api-token.entity';
import { sha256 } from '../../src/security/tokens';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser } from '../support/factories';
import { Client } from '../support/http-client';
import { TestApp } from '../support/test-app';
import { LivechatScene } from './livechat-scene';
import { HttpRoute } from './raw-http';

/** Who sends a fuzzed request: a signed-in user (cookie and CSRF token), a visitor before sign-in, or an API caller. */
export interface Visitor {
  label: string;
  headers(): Record<string, string>;
  /** Signs in again when a fuzzed request (a logout, say) ended the session. */
  refresh(): Promise<void>;
}

class BrowserVisitor implements Visitor {
  private cookie = '';
  private csrf = '';

  constructor(
    readonly label: string,
    private readonly url: string,
    private readonly email?: string,
  ) {}

  async enter(): Promise<this> {
    const client = new Client(this.url);
    if (this.email) await client.signIn(this.email);
    else await client.load('/login');
    this.cookie = client.cookieHeader();
    this.csrf = client.csrf;
    return this;
  }

  headers(): Record<string, string> {
    return { Cookie: this.cookie, 'X-CSRF-Token': this.csrf };
  }

  async refresh(): Promise<void> {
    if (!this.email) return;
    // A signed-in visitor is sent on from the sign-in page.
    const res = await fetch(`${this.url}/login`, { headers: { Cookie: this.cookie }, redirect: 'manual' });
    if (res.status !== 303) await this.enter();
  }
}

class ApiVisitor implements Visitor {
  constructor(
    readonly label: string,
    private readonly authorization: () => string | undefined,
  ) {}

  headers(): Record<string, string> {
    const authorization = this.authorization();
    return authorization ? { Authorization: authorization } : {};
  }

  async refresh(): Promise<void> {}
}

type Kind = (typeof KINDS)[number]['slug'];

/**
 * The data a fuzzed route can name: two companies with chat, one on the Start plan, the operator, and in the
 * first a group, a one-to-one conversation, messages, a file, a group API token and a record of each CRM kind.
 * Fuzzing deletes and changes some of it, so `repair` makes again whatever is gone.
 */
export class Scene {
  readonly ids = {
    group: 0,
    direct: 0,
    groupMessage: 0,
    directMessage: 0,
    attachment: 0,
    attachmentName: '',
    crm: {} as Record<Kind, number>,
  };
  apiToken = '';
  livechat!: LivechatScene;
  readonly inviteToken = `invite-${randomUUID()}`;
  private owner!: Client;

  private constructor(
    private readonly t: TestApp,
    readonly company: Company,
    readonly otherCompany: Company,
    readonly users: { operator: User; admin: User; user: User; victim: User; starter: User },
    readonly visitors: { operator: Visitor; admin: Visitor; user: Visitor; starter: Visitor; anonymous: Visitor; api: Visitor[] },
  ) {}

  static async create(t: TestApp): Promise<Scene> {
    const em = t.em();
    const operatorCompany = await createCompany(em, { operator: true, plan: 'supreme' });
    const company = await createCompany(em, { plan: 'enterprise', apiAddon: true });
    const startCompany = await createCompany(em, { plan: 'start' });
    const otherCompany = await createCompany(em, { plan: 'professional' });
    const users = {
      operator: await createUser(em, operatorCompany, { role: 'admin' }),
      admin: await createUser(em, company, { role: 'admin' }),
      user: await createUser(em, company, { role: 'user' }),
      victim: await createUser(em, company, { role: 'user' }),
      starter: await createUser(em, startCompany, { role: 'admin' }),
    };
    await createUser(em, otherCompany, { role: 'admin' });
    const browser = (label: string, user?: User) => new BrowserVisitor(label, t.url, user?.email).enter();
    let scene: Scene | undefined;
    const visitors = {
      operator: await browser('operator admin', users.operator),
      admin: await browser('company admin', users.admin),
      user: await browser('plain user', users.user),
      starter: await browser('admin on the Start plan', users.starter),
      anonymous: await browser('not signed in'),
      api: [
        new ApiVisitor('group API token', () => `Bearer ${scene?.apiToken}`),
        new ApiVisitor('no token', () => undefined),
        new ApiVisitor('unknown token', () => `Bearer gwar_${'A'.repeat(43)}`),
      ],
    };
    scene = new Scene(t, company, otherCompany, users, visitors);
    scene.livechat = new LivechatScene(t, company, users.admin);
    scene.owner = await new Client(t.url).signIn(users.admin.email);
    await scene.repair();
    return scene;
  }

  /** Path parameters that name real things the visitor may see, for a route: the happy path each fuzzed variant starts from. */
  realParams(route: HttpRoute): Record<string, string>[] {
    const { ids } = this;
    const p = route.path;
    const livechat = this.livechat.params(route);
    if (livechat) return livechat;
    if (p.startsWith('/crm/:kind')) return KINDS.map((k) => ({ kind: k.slug, id: String(ids.crm[k.slug]) }));
    if (p.startsWith('/operator/companies/:id')) return [{ id: String(this.otherCompany.id) }];
    if (p.startsWith('/admin/users/:id')) return [{ id: String(this.users.victim.id) }];
    if (p.startsWith('/chat/conversations/:id/around')) return [{ id: String(ids.group), messageId: String(ids.groupMessage) }];
    if (p.startsWith('/chat/conversations/:id')) return [{ id: String(ids.group) }, { id: String(ids.direct) }];
    if (p.startsWith('/chat/groups/:id')) return [{ id: String(ids.group) }];
    if (p.startsWith('/chat/messages/:id')) return [{ id: String(ids.groupMessage) }];
    if (p.startsWith('/chat/users/:')) return [{ id: String(this.users.user.id), userId: String(this.users.user.id) }];
    if (p.startsWith('/files/:id')) return [{ id: String(ids.attachment), name: encodeURIComponent(ids.attachmentName) }];
    if (p.startsWith('/invite/:token')) return [{ token: this.inviteToken }];
    if (route.params.length === 0) return [{}];
    // A route this list does not know yet: every id the scene has, so it is still reached with something real.
    return this.everyId().map((id) => Object.fromEntries(route.params.map((name) => [name, String(id)])));
  }

  everyId(): number[] {
    const { ids } = this;
    return [...new Set([ids.group, ids.direct, ids.groupMessage, ids.attachment, ...Object.values(ids.crm), this.users.user.id])];
  }

  /** Brings back what fuzzing took away: sessions, the victim's access, the group and its messages, the token, the records. */
  async repair(): Promise<void> {
    const em = this.t.em();
    const { users, ids } = this;
    await em.nativeUpdate(User, { id: { $in: Object.values(users).map((u) => u.id) } }, { active: true }, { filters: false });
    await em.nativeUpdate(
      User,
      { id: users.victim.id },
      { inviteTokenHash: sha256(this.inviteToken), inviteExpiresAt: new Date(Date.now() + 86_400_000) },
      { filters: false },
    );
    // Offline refuses sends (409): a fuzzed status change must not hide the message routes from the rest of the run.
    await em.getConnection().execute(`update presence set status = 'available' where user_id in (?, ?)`, [users.admin.id, users.user.id]);
    for (const visitor of Object.values(this.visitors).flat()) await visitor.refresh();
    if ((await this.owner.load('/login')).status !== 303) this.owner = await new Client(this.t.url).signIn(users.admin.email);

    const isMember = (conversation: number, user: User) => em.count(ConversationMember, { conversation, user }, { filters: false });
    if (!ids.group || !(await isMember(ids.group, users.admin)) || !(await isMember(ids.group, users.user))) {
      ids.group = await createGroup(this.owner, `Fuzz ${randomUUID().slice(0, 6)}`, [users.user.id, users.victim.id]);
      ids.groupMessage = ids.attachment = 0;
      this.apiToken = '';
    }
    ids.direct = await directConversation(this.owner, users.user.id);
    const live = (id: number) => em.count(Message, { id, deletedAt: null }, { filters: false });
    if (!ids.groupMessage || !(await live(ids.groupMessage))) ids.groupMessage = await this.message(ids.group);
    if (!ids.directMessage || !(await live(ids.directMessage))) ids.directMessage = await this.message(ids.direct);
    if (!ids.attachment || !(await em.count(Attachment, { id: ids.attachment }, { filters: false }))) await this.upload();
    if (!this.apiToken || !(await em.count(GroupApiToken, { tokenHash: sha256(this.apiToken) }, { filters: false }))) await this.generateToken();
    await this.crmRecords();
    await this.livechat.repair();
  }

  private async message(conversationId: number): Promise<number> {
    const { res, id } = await send(this.owner, conversationId, 'a message to fuzz');
    if (!id) throw new Error(`a message for the scene gave ${res.status}`);
    return id;
  }

  private async upload(): Promise<void> {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const res = await this.owner.agent
      .post(`/chat/conversations/${this.ids.group}/attachments`)
      .set('X-CSRF-Token', this.owner.csrf)
      .set('HX-Request', 'true')
      .field('clientId', randomUUID())
      .attach('file', png, 'tiny picture.png');
    if (res.status !== 201) throw new Error(`the upload for the scene gave ${res.status}`);
    const attachment = await this.t.em().findOneOrFail(Attachment, { conversation: this.ids.group }, { filters: false, orderBy: { id: 'desc' } });
    this.ids.attachment = attachment.id;
    this.ids.attachmentName = attachment.name;
  }

  private async generateToken(): Promise<void> {
    await this.owner.load(`/chat/groups/${this.ids.group}/api-token`);
    const res = await this.owner.post(`/chat/groups/${this.ids.group}/api-token`, { origins: '' });
    const token = /value="(gwar_[^"]+)"/.exec(res.text)?.[1];
    if (!token) throw new Error(`no API token for the scene (${res.status})`);
    this.apiToken = token;
  }

  private async crmRecords(): Promise<void> {
    const em = this.t.em();
    const { crm } = this.ids;
    const company = em.getReference(Company, this.company.id);
    const exists = async (kind: Kind, entity: (typeof KINDS)[number]['entity']) =>
      !!crm[kind] && !!(await em.count(entity, { id: crm[kind] }, { filters: false }));
    let crmCompany = (await exists('companies', CrmCompany)) ? em.getReference(CrmCompany, crm.companies) : null;
    if (!crmCompany) {
      crmCompany = Object.assign(new CrmCompany(), { company, name: 'Fuzz Ltd', email: 'fuzz@example.com' });
      await em.persistAndFlush(crmCompany);
      crm.companies = crmCompany.id;
    }
    const assignee = em.getReference(User, this.users.user.id);
    const make = {
      tasks: () => Object.assign(new CrmTask(), { company, name: 'Fuzz task', assignee, crmCompany, dueDate: '2030-01-31' }),
      notes: () => Object.assign(new CrmNote(), { company, name: 'Fuzz note', text: 'Fuzz note', crmCompany }),
      opportunities: () => Object.assign(new CrmOpportunity(), { company, name: 'Fuzz deal', owner: assignee, crmCompany, value: '100.50' }),
    };
    for (const kind of ['tasks', 'notes', 'opportunities'] as const) {
      if (await exists(kind, KINDS.find((k) => k.slug === kind)!.entity)) continue;
      const record = make[kind]();
      await em.persistAndFlush(record);
      crm[kind] = record.id;
    }
  }
}
