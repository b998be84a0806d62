import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { Attachment } from '../src/chat/attachment.entity';
import { Message } from '../src/chat/message.entity';
import { directConversation, Page } from './support/chat';
import { createCompany, createUser } from './support/factories';
import { Client, signedIn } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';

function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** A JPEG with EXIF and GPS data, as a phone would take it. */
async function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({ IFD0: { Make: 'PhoneMaker', Model: 'Secret Phone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 13/1 0/1' } })
    .toBuffer();
}

/** A one-colour PNG: a few KB on the wire, width × height pixels once decoded. */
function plainPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .png()
    .toBuffer();
}

/** A valid small PNG whose header (IHDR, CRC fixed) claims other dimensions: what a decompression bomb looks like before decoding. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await plainPng(8, 8));
  // Signature (8 bytes), then the IHDR chunk: length (4), type (4), width (4), height (4), ..., its CRC over type and data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

/** Test limits: files of at most 1 MB, images of at most 1,000,000 pixels. */
const MAX_BYTES = 1024 * 1024;
const MAX_PIXELS = 1_000_000;

describe('files in chat', () => {
  let t: TestApp;
  let filesDir: string;
  beforeAll(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'gwar-files-'));
    t = await startTestApp({ FILES_DIR: filesDir, FILE_MAX_BYTES: String(MAX_BYTES), IMAGE_MAX_PIXELS: String(MAX_PIXELS) });
    await createCompany(t.em(), { operator: true });
  });
  afterAll(() => t.close());

  async function pair() {
    const company = await createCompany(t.em());
    const ann = await createUser(t.em(), company);
    const bob = await createUser(t.em(), company);
    const a = await signedIn(t.url, ann.email);
    const b = await signedIn(t.url, bob.email);
    return { a, b, ann, bob, conversationId: await directConversation(a, bob.id) };
  }

  const upload = (client: Client, conversationId: number, content: Buffer, name: string, clientId: string = randomUUID()) =>
    client.agent
      .post(`/chat/conversations/${conversationId}/attachments`)
      .set('X-CSRF-Token', client.csrf)
      .set('HX-Request', 'true')
      .field('clientId', clientId)
      .attach('file', content, name);

  const attachments = (conversationId: number) => t.em().find(Attachment, { conversation: conversationId }, { filters: false });

  it('sends an image as a message with a thumbnail stripped of EXIF and GPS, live to the other member', async () => {
    const { a, b, conversationId } = await pair();
    const bobPage = await Page.open(t.url, b, [conversationId]);
    try {
      const original = await photoWithGps();
      expect((await sharp(original).metadata()).exif).toBeDefined();
      const res = await upload(a, conversationId, original, 'wakacje.jpg');
      expect(res.status).toBe(201);
      const [attachment] = await attachments(conversationId);
      expect(attachment).toMatchObject({ name: 'wakacje.jpg', mime: 'image/jpeg', width: 800, height: 600 });
      const pushed = await bobPage.waitFor(`/files/${attachment.id}/thumbnail`);
      expect(pushed).toContain('data-fullscreen');
      const thumb = await b.agent
        .get(`/files/${attachment.id}/thumbnail`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(thumb.status).toBe(200);
      const meta = await sharp(thumb.body as Buffer).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.width).toBeLessThanOrEqual(480);
      const full = await b.agent.get(`/files/${attachment.id}/wakacje.jpg`);
      expect(full.headers['content-type']).toBe('image/jpeg');
      expect(full.headers['content-disposition']).toMatch(/^inline/);
    } finally {
      bobPage.close();
    }
  });

  it('lets only members download: another member’s colleague and another company get 404', async () => {
    const { a, ann, conversationId } = await pair();
    await upload(a, conversationId, Buffer.from('quarterly numbers'), 'raport.txt');
    const [attachment] = await attachments(conversationId);
    const colleague = await signedIn(
      t.url,
      (await createUser(t.em(), (await t.em().findOneOrFail(Message, { conversation: conversationId }, { filters: false, populate: ['company'] })).company))
        .email,
    );
    const stranger = await signedIn(t.url, (await createUser(t.em(), await createCompany(t.em()))).email);
    for (const outsider of [colleague, stranger]) {
      expect((await outsider.agent.get(`/files/${attachment.id}/raport.txt`)).status).toBe(404);
      expect((await upload(outsider, conversationId, Buffer.from('x'), 'x.txt')).status).toBe(404);
    }
    expect(ann).toBeDefined();
  });

  it('decides the type from the content and serves SVG, HTML and unknown files only as attachments', async () => {
    const { a, b, conversationId } = await pair();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
    await upload(a, conversationId, svg, 'logo.png');
    await upload(a, conversationId, Buffer.from('<!doctype html><script>alert(1)</script>'), 'page.jpg');
    const rows = await attachments(conversationId);
    expect(rows.map((r) => r.mime).sort()).toEqual(['image/svg+xml', 'text/html']);
    for (const row of rows) {
      expect(row.thumbKey).toBeNull();
      const res = await b.agent.get(`/files/${row.id}/${encodeURIComponent(row.name)}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain('sandbox');
    }
  });

  it('refuses a file over the limit with a clear message and leaves nothing behind', async () => {
    const { a, conversationId } = await pair();
    const before = filesIn(filesDir).length;
    const res = await upload(a, conversationId, Buffer.alloc(1024 * 1024 + 10, 1), 'big.bin');
    expect(res.status).toBe(413);
    expect(res.text).toContain('at most 1 MB');
    expect(await attachments(conversationId)).toHaveLength(0);
    expect(filesIn(filesDir).length).toBe(before);
  });

  it('accepts a file of exactly the largest size allowed, and refuses one byte more with a clear message', async () => {
    const { a, b, conversationId } = await pair();
    const exact = await upload(a, conversationId, Buffer.alloc(MAX_BYTES, 7), 'exact.bin');
    expect(exact.status).toBe(201);
    const [row] = await attachments(conversationId);
    expect(row).toMatchObject({ name: 'exact.bin', size: MAX_BYTES });
    const back = await b.agent.get(`/files/${row.id}/exact.bin`);
    expect(back.headers['content-length']).toBe(String(MAX_BYTES));

    const before = filesIn(filesDir).length;
    const over = await upload(a, conversationId, Buffer.alloc(MAX_BYTES + 1, 7), 'over.bin');
    expect(over.status).toBe(413);
    expect(over.text).toContain('at most 1 MB');
    expect(await attachments(conversationId)).toHaveLength(1);
    expect(filesIn(filesDir).length).toBe(before);
  });

  it('makes no thumbnail of an image over the pixel limit and serves it only as a download, never inline', async () => {
    const { a, b, conversationId } = await pair();
    const atLimit = await upload(a, conversationId, await plainPng(1000, MAX_PIXELS / 1000), 'at-limit.png');
    expect(atLimit.status).toBe(201);
    expect(atLimit.text).toContain('/thumbnail');
    const over = await upload(a, conversationId, await plainPng(1001, MAX_PIXELS / 1000), 'over-limit.png');
    expect(over.status).toBe(201);
    // The message shows it as a file to download, not as a picture.
    expect(over.text).not.toContain('/thumbnail');
    expect(over.text).toContain('attachment-file');
    // Only its header says how big it is: it is never decoded.
    expect((await upload(a, conversationId, await pngClaiming(60_000, 60_000), 'bomb.png')).status).toBe(201);

    const rows = await attachments(conversationId);
    const byName = (name: string) => rows.find((r) => r.name === name)!;
    expect(byName('at-limit.png')).toMatchObject({ mime: 'image/png', width: 1000, height: MAX_PIXELS / 1000 });
    expect(byName('at-limit.png').thumbKey).not.toBeNull();
    const inline = await b.agent.get(`/files/${byName('at-limit.png').id}/at-limit.png`);
    expect(inline.headers['content-type']).toBe('image/png');
    expect(inline.headers['content-disposition']).toMatch(/^inline/);

    for (const name of ['over-limit.png', 'bomb.png']) {
      const row = byName(name);
      expect(row).toMatchObject({ mime: 'image/png', thumbKey: null, width: null, height: null });
      expect((await b.agent.get(`/files/${row.id}/thumbnail`)).status).toBe(404);
      const res = await b.agent.get(`/files/${row.id}/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses a zero-byte file clearly, and keeps odd, long and non-Latin names', async () => {
    const { a, b, conversationId } = await pair();
    const empty = await upload(a, conversationId, Buffer.alloc(0), 'empty.txt');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('This file is empty');
    const name = `${'ж'.repeat(300)} "quoted".txt`;
    expect((await upload(a, conversationId, Buffer.from('content'), name)).status).toBe(201);
    const [row] = await attachments(conversationId);
    expect(row.name.startsWith('жжж')).toBe(true);
    expect([...row.name].length).toBeLessThanOrEqual(255);
    expect(row.name.endsWith('.txt')).toBe(true);
    expect((await upload(a, conversationId, Buffer.from('x'), '../../etc/passwd')).status).toBe(201);
    expect((await attachments(conversationId)).map((r) => r.name)).toContain('passwd');
    const res = await b.agent.get(`/files/${row.id}/x`);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''%D0%B6");
  });

  it('leaves nothing behind when an upload is interrupted', async () => {
    const { a, conversationId } = await pair();
    const before = filesIn(filesDir).length;
    const url = new URL(`${t.url}/chat/conversations/${conversationId}/attachments`);
    const boundary = 'gwarboundary';
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': '500000', Cookie: a.sessionCookie(), 'X-CSRF-Token': a.csrf },
      });
      req.on('error', () => resolve());
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="clientId"\r\n\r\n${randomUUID()}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      req.write(Buffer.alloc(100_000, 7));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await attachments(conversationId)).toHaveLength(0);
    expect(filesIn(filesDir).length).toBe(before);
  });

  it('removes the file with its message when the message is deleted', async () => {
    const { a, conversationId } = await pair();
    const res = await upload(a, conversationId, Buffer.from('to be deleted'), 'gone.txt');
    const id = /data-message-id="(\d+)"/.exec(res.text)![1];
    const [row] = await attachments(conversationId);
    const stored = filesIn(filesDir).filter((f) => f.endsWith(row.storageKey));
    expect(stored).toHaveLength(1);
    await a.agent.delete(`/chat/messages/${id}`).set('X-CSRF-Token', a.csrf);
    await new Promise((r) => setTimeout(r, 300));
    expect(await attachments(conversationId)).toHaveLength(0);
    expect(existsSync(stored[0])).toBe(false);
  });

  it('keeps one copy when the same upload is retried with the same client id', async () => {
    const { a, conversationId } = await pair();
    const clientId = randomUUID();
    expect((await upload(a, conversationId, Buffer.from('once'), 'once.txt', clientId)).status).toBe(201);
    expect((await upload(a, conversationId, Buffer.from('once'), 'once.txt', clientId)).status).toBe(200);
    expect(await attachments(conversationId)).toHaveLength(1);
  });
});
