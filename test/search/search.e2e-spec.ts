import { CrmCompany } from '../../src/crm/crm-company.entity';
import { createGroup, directConversation, send } from '../support/chat';
import { createCompany, createUser, insertMessages, unique } from '../support/factories';
import { Client, signedIn } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';

describe('search', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'false' });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function team(plan: 'start' | 'professional' | 'enterprise' = 'enterprise') {
    const company = await createCompany(t.em(), { plan });
    const anna = await createUser(t.em(), company, { name: unique('Anna') });
    const bartek = await createUser(t.em(), company, { name: unique('Bartek') });
    const celina = await createUser(t.em(), company, { name: unique('Celina') });
    const a = await signedIn(t.url, anna.email);
    return { company, anna, bartek, celina, a };
  }

  const search = (c: Client, q: string, extra = '') => c.agent.get(`/search?q=${encodeURIComponent(q)}${extra}`);
  /** The message ids of the hits, in the order shown. */
  const hitIds = (html: string) => [...html.matchAll(/href="\/chat\/conversations\/\d+\?at=(\d+)#m-[^"]+"/g)].map((m) => Number(m[1]));

  it('stems the common Polish inflections of a word to one form (gwar_pl_stem, documented in the migration)', async () => {
    const families = [
      'faktura faktury fakturze fakturę fakturą fakturach fakturami faktur fakturom',
      'klient klienta klientowi klientem kliencie klienci klientów klientom klientami klientach',
      'oferta oferty ofercie ofertę ofertą ofertach',
      'spotkanie spotkania spotkaniu spotkaniem spotkań spotkaniach spotkaniami',
      'umowa umowy umowie umowę umową umów umowach',
      'projekt projektu projektowi projektem projekcie projekty projektów',
      'wiadomość wiadomości wiadomościami wiadomościach',
      'płatność płatności płatnościach',
      'nowy nowego nowemu nowym nowej nowych nowymi',
      'kwartał kwartału kwartale kwartały kwartałów',
      'zamówienie zamówienia zamówieniu zamówień zamówieniami',
      'raport raportu raporcie raporty raportów',
    ];
    const stems: string[][] = [];
    for (const family of families) {
      const [row] = await t
        .em()
        .getConnection()
        .execute<{ stems: string[] }[]>(`select array_agg(distinct gwar_pl_stem(gwar_fold(w))) as stems from unnest(string_to_array(?, ' ')) w`, [family]);
      stems.push(row.stems);
    }
    expect(stems).toEqual([
      ['faktur'],
      ['klient'],
      ['ofert'],
      ['spotkan'],
      ['umow'],
      ['projekt'],
      ['wiadomost'],
      ['platnost'],
      ['now'],
      ['kwartal'],
      ['zamowien'],
      ['raport'],
    ]);
  });

  it('finds a Polish word in its inflected forms, with or without diacritics, and marks it', async () => {
    const { a, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    const sent = await send(a, chat, 'Wysłałem wczoraj fakturę klientowi z Poznania');
    const other = await send(a, chat, 'Spotkanie w sprawie oferty przesunięte');
    for (const q of ['faktura', 'faktury', 'fakturach', 'FAKTURZE', 'fakture', 'klient', 'klienta', 'faktura klientom']) {
      const res = await search(a, q);
      expect({ q, status: res.status, hits: hitIds(res.text) }).toEqual({ q, status: 200, hits: [sent.id] });
    }
    expect(hitIds((await search(a, 'ofercie')).text)).toEqual([other.id]);
    const page = await search(a, 'faktury');
    expect(page.text).toContain('<mark>fakturę</mark>');
    expect(page.text).toContain(`#m-${sent.clientId}`);
  });

  it('stems English words and ranks the closer match first', async () => {
    const { a, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    const once = await send(a, chat, 'The weekly meeting, lunch, a long list of other things, and then invoices at the end');
    const often = await send(a, chat, 'Invoices: the invoice for March, the invoiced hours, all invoices');
    const none = await send(a, chat, 'Nothing to do with billing at all');
    const res = await search(a, 'invoice');
    expect(hitIds(res.text)).toEqual([often.id, once.id]);
    expect(hitIds((await search(a, 'running meetings')).text)).toEqual([]);
    expect(hitIds((await search(a, 'meetings')).text)).toEqual([once.id]);
    expect(hitIds(res.text)).not.toContain(none.id);
  });

  it('escapes hostile markup in the excerpt: only the hit is marked', async () => {
    const { a, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    await send(a, chat, 'faktura <img src=x onerror=alert(1)> <script>alert(2)</script> \uE000<b>bold</b>\uE001 </mark><i>x');
    const res = await search(a, 'faktura');
    expect(hitIds(res.text)).toHaveLength(1);
    const excerpt = /<span class="hit-text">([\s\S]*?)<\/span>\s*<\/a>/.exec(res.text)![1];
    expect(excerpt).not.toMatch(/<(img|script|b|i)[\s>]/);
    expect(excerpt).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(excerpt.match(/<mark>/g)?.length).toBe(excerpt.match(/<\/mark>/g)?.length);
    expect(excerpt).toContain('<mark>faktura</mark>');
  });

  it('finds only what the user may see: their conversations, their company, nothing deleted', async () => {
    const { company, a, anna, bartek, celina } = await team();
    const b = await signedIn(t.url, bartek.email);
    const theirs = await directConversation(b, celina.id);
    await send(b, theirs, 'Tajna kalkulacja marży dla klienta');
    const group = await createGroup(a, 'Zespół sprzedaży', [bartek.id]);
    const mine = await send(a, group, 'Kalkulacja marży gotowa');
    const gone = await send(a, group, 'Kalkulacja marży stara wersja');
    expect((await a.agent.delete(`/chat/messages/${gone.id}`).set('X-CSRF-Token', a.csrf).set('HX-Request', 'true')).status).toBe(200);
    expect(hitIds((await search(a, 'kalkulacja')).text)).toEqual([mine.id]);
    expect(hitIds((await search(b, 'kalkulacja')).text).sort()).toEqual([mine.id, hitIds((await search(b, 'tajna')).text)[0]].sort());

    // Another company: the same words, its own records and people, none of the first company's.
    const other = await team();
    await t.em().persistAndFlush(Object.assign(new CrmCompany(), { company: other.company, name: 'Kalkulacja Sp. z o.o.' }));
    const outsider = await search(other.a, 'kalkulacja');
    expect(outsider.status).toBe(200);
    expect(hitIds(outsider.text)).toEqual([]);
    expect(outsider.text).toContain('Kalkulacja Sp. z o.o.');
    expect((await search(a, 'kalkulacja')).text).not.toContain('Kalkulacja Sp. z o.o.');
    expect((await search(other.a, anna.name)).text).not.toContain(anna.email);
    expect((await search(other.a, 'Zespół')).text).not.toContain('Zespół sprzedaży');
    void company;
  });

  it('finds an edited message by its new words, not its old ones', async () => {
    const { a, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    const sent = await send(a, chat, 'Zamówienie numer siedem');
    const edited = await a.agent
      .patch(`/chat/messages/${sent.id}`)
      .set('X-CSRF-Token', a.csrf)
      .set('HX-Request', 'true')
      .type('form')
      .send({ body: 'Reklamacja numer siedem' });
    expect(edited.status).toBe(200);
    expect(hitIds((await search(a, 'zamówienia')).text)).toEqual([]);
    expect(hitIds((await search(a, 'reklamacji')).text)).toEqual([sent.id]);
  });

  it('finds Help conversation messages only while the plan has Help chat', async () => {
    const { company, a } = await team('enterprise');
    const opened = await a.agent.get('/chat/help').set('HX-Request', 'true');
    const helpId = Number(/data-conversation-id="(\d+)"/.exec(opened.text)![1]);
    const asked = await send(a, helpId, 'Jak wystawić korektę faktury?');
    const found = await search(a, 'korekta');
    expect(hitIds(found.text)).toEqual([asked.id]);
    expect(found.text).toContain('Help — support team');
    await t.em().getConnection().execute(`update company set plan = 'professional' where id = ?`, [company.id]);
    expect(hitIds((await search(a, 'korekta')).text)).toEqual([]);
  });

  it('finds people, groups and CRM records by name; without the chat in the plan only CRM records', async () => {
    const { company, a, bartek } = await team();
    const zenon = await createUser(t.em(), company, { name: 'Zenon Alfacki', email: unique('zenon') + '@example.com' });
    await createGroup(a, 'Projekt Alfa', [bartek.id]);
    const b = await signedIn(t.url, bartek.email);
    await createGroup(b, 'Alfa bez Anny', []);
    await t.em().persistAndFlush(Object.assign(new CrmCompany(), { company, name: 'Alfa Sp. z o.o.' }));
    const res = await search(a, 'alfa');
    expect(res.text).toContain(`href="/chat/users/${zenon.id}"`);
    expect(res.text).toContain('Projekt Alfa');
    expect(res.text).not.toContain('Alfa bez Anny');
    expect(res.text).toMatch(/href="\/crm\/companies\/\d+">Alfa Sp\. z o\.o\./);
    expect((await search(a, zenon.email.slice(0, 12))).text).toContain(`href="/chat/users/${zenon.id}"`);

    const start = await team('start');
    await t.em().persistAndFlush(Object.assign(new CrmCompany(), { company: start.company, name: 'Alfa Start' }));
    await createUser(t.em(), start.company, { name: 'Alfa Person' });
    const plain = await search(start.a, 'alfa');
    expect(plain.status).toBe(200);
    expect(plain.text).toContain('Alfa Start');
    expect(plain.text).not.toContain('Alfa Person');
  });

  it('pages message hits with a cursor of rank and id, each hit once', async () => {
    const { company, a, anna, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    await insertMessages(t.em(), { companyId: company.id, conversationId: chat, authorId: anna.id }, 45, { label: 'raport kwartalny' });
    const first = await search(a, 'raportu');
    const seen = hitIds(first.text);
    expect(seen).toHaveLength(20);
    expect(first.text).toContain('Results: 20+');
    let next = /href="(\/search\?q=[^"]*after=[^"]+)"/.exec(first.text)?.[1];
    while (next) {
      const more = await a.agent.get(next.replaceAll('&amp;', '&')).set('HX-Request', 'true');
      expect(more.status).toBe(200);
      expect(more.text).not.toContain('<h1');
      seen.push(...hitIds(more.text));
      next = /href="(\/search\?q=[^"]*after=[^"]+)"/.exec(more.text)?.[1];
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    // Without JavaScript the link is a whole page.
    const plain = await a.agent.get(/href="(\/search\?q=[^"]*after=[^"]+)"/.exec(first.text)![1].replaceAll('&amp;', '&'));
    expect(plain.text).toContain('<h1');
    expect(hitIds(plain.text)).toEqual(seen.slice(20, 40));
  });

  it('answers empty, over-long, garbage and hostile queries without an error', async () => {
    const { a, bartek } = await team();
    await send(a, await directConversation(a, bartek.id), 'zwykła wiadomość');
    const queries = ['', '   ', 'a'.repeat(5000), "'&|!():*\\", '!zwykła', 'zwykła:*', '<->', '\u0000\u0001', 'the a an', '"', "o'reilly", '😀', '%', '_', 'ﬁ'];
    for (const q of queries) {
      const res = await search(a, q);
      expect({ q: q.slice(0, 20), status: res.status }).toEqual({ q: q.slice(0, 20), status: 200 });
    }
    for (const extra of ['&after=garbage', '&after=1e999_1', '&after=0.5_99999999999999999999', '&q=x&q=y', '&after[]=1']) {
      const res = await a.agent.get(`/search?q=zwykla${extra}`);
      expect({ extra, status: res.status }).toEqual({ extra, status: 200 });
    }
    expect((await a.agent.get('/search?q[a]=1')).status).toBe(200);
    expect((await new Client(t.url).load('/search?q=x')).status).not.toBe(200);
  });

  it('opens the conversation at an old hit, with everything after it', async () => {
    const { company, a, anna, bartek } = await team();
    const chat = await directConversation(a, bartek.id);
    const target = await send(a, chat, 'Stara umowa ramowa');
    await insertMessages(t.em(), { companyId: company.id, conversationId: chat, authorId: anna.id }, 120, { label: 'potem', firstSeq: 100 });
    const [hit] = hitIds((await search(a, 'umowy')).text);
    expect(hit).toBe(target.id);
    const plain = await a.agent.get(`/chat/conversations/${chat}`);
    expect(plain.text).not.toContain(`id="m-${target.clientId}"`);
    const at = await a.agent.get(`/chat/conversations/${chat}?at=${target.id}`);
    expect(at.text).toContain(`id="m-${target.clientId}"`);
    expect(at.text).toContain('potem 120');
    // Further back than JUMP_LIMIT messages: the page around it; a window (htmx) opens at the newest page as usual.
    await insertMessages(t.em(), { companyId: company.id, conversationId: chat, authorId: anna.id }, 400, { label: 'jeszcze', firstSeq: 300 });
    const deep = await a.agent.get(`/chat/conversations/${chat}?at=${target.id}`);
    expect(deep.status).toBe(303);
    expect(deep.headers.location).toBe(`/chat/conversations/${chat}/around/${target.id}`);
    expect((await a.agent.get(deep.headers.location)).text).toContain(`id="m-${target.clientId}"`);
    const window = await a.agent.get(`/chat/conversations/${chat}?at=${target.id}`).set('HX-Request', 'true');
    expect(window.status).toBe(200);
    expect(window.text).not.toContain(`id="m-${target.clientId}"`);
    expect(window.text).toContain('jeszcze 400');
    // Someone else's message id opens the conversation as usual.
    expect((await a.agent.get(`/chat/conversations/${chat}?at=1`)).status).toBe(200);
    expect((await a.agent.get(`/chat/conversations/${chat}?at=abc`)).status).toBe(200);
  });
});
