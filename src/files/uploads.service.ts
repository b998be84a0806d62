import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import busboy from 'busboy';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, open, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Attachment } from '../chat/attachment.entity';
import type { Conversation } from '../chat/conversation.entity';
import { Message } from '../chat/message.entity';
import { ChatMessageEvent, MessagesService, Sender } from '../chat/messages.service';
import type { MessageRecord } from '../chat/message.view';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { cleanFileName } from './file-name';
import { FILE_STORAGE, FileStorage } from './file-storage';
import { SAFE_IMAGES, sniffType } from './sniff';
import { Thumbnails } from './thumbnails';

export type UploadResult =
  | { ok: true; record: MessageRecord; created: boolean }
  | { ok: false; status: 400 | 413 | 422; error: 'files.tooLarge' | 'files.empty' | 'files.missing' | 'files.interrupted' | 'chat.messageInvalid' };

/** A file checked and stored as every upload is, for a store other than the company chat (Livechat) to record. */
export interface StoredUpload {
  ok: true;
  fields: Record<string, string>;
  name: string;
  size: number;
  mime: string;
  storageKey: string;
  thumbKey: string | null;
  width: number | null;
  height: number | null;
}

export type UploadRefusal = { ok: false; status: 400 | 413 | 422; error: 'files.tooLarge' | 'files.empty' | 'files.missing' | 'files.interrupted' };

interface Received {
  path: string;
  name: string;
  size: number;
  head: Buffer;
}

/** Thumbnails made at once in this process: each holds a decoder and a shrinking pipeline in memory. */
const THUMBNAILS_AT_ONCE = 2;

/**
 * Streams an upload to a temporary file (never whole in memory), checks its size and real type, makes a
 * metadata-free thumbnail for images, and stores it as a message of its own. Whatever fails leaves nothing.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger('uploads');
  private readonly thumbnails: Thumbnails;

  constructor(
    private readonly em: EntityManager,
    private readonly messages: MessagesService,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.thumbnails = new Thumbnails(config.imageMaxPixels, THUMBNAILS_AT_ONCE);
  }

  /** `clientId`: for a sender whose form names none (an integration), the message's id for retries. */
  async receive(req: Request, sender: Sender, conversation: Conversation, fallbackClientId?: string): Promise<UploadResult> {
    if (Number(req.get('content-length') ?? 0) > this.config.fileMaxBytes + 64 * 1024) {
      req.resume();
      return { ok: false, status: 413, error: 'files.tooLarge' };
    }
    let parsed: { fields: Record<string, string>; file?: Received; tooLarge: boolean };
    try {
      parsed = await this.parse(req);
    } catch (err) {
      this.logger.warn(`upload failed: ${err instanceof Error ? err.message : String(err)}`);
      return { ok: false, status: 400, error: 'files.interrupted' };
    }
    const { fields, file } = parsed;
    const discard = () => (file ? rm(file.path, { force: true }) : Promise.resolve());
    if (parsed.tooLarge) return discard().then(() => ({ ok: false as const, status: 413 as const, error: 'files.tooLarge' as const }));
    if (!file) return { ok: false, status: 422, error: 'files.missing' };
    if (file.size === 0) return discard().then(() => ({ ok: false as const, status: 422 as const, error: 'files.empty' as const }));
    const clientId = fields.clientId ?? fallbackClientId;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId ?? '')) {
      await discard();
      return { ok: false, status: 422, error: 'chat.messageInvalid' };
    }
    return this.store(sender, conversation, clientId!, file, discard);
  }

  /**
   * One file of a multipart form streamed, checked (size, real type) and stored, with a metadata-free thumbnail
   * for an image, by the same rules as a chat upload; the caller records it, or removes it with `discard`.
   */
  async receiveStored(req: Request): Promise<StoredUpload | UploadRefusal> {
    if (Number(req.get('content-length') ?? 0) > this.config.fileMaxBytes + 64 * 1024) {
      req.resume();
      return { ok: false, status: 413, error: 'files.tooLarge' };
    }
    let parsed: { fields: Record<string, string>; file?: Received; tooLarge: boolean };
    try {
      parsed = await this.parse(req);
    } catch (err) {
      this.logger.warn(`upload failed: ${err instanceof Error ? err.message : String(err)}`);
      return { ok: false, status: 400, error: 'files.interrupted' };
    }
    const { fields, file } = parsed;
    if (!file) return { ok: false, status: 422, error: 'files.missing' };
    if (parsed.tooLarge || file.size === 0) {
      await rm(file.path, { force: true });
      return parsed.tooLarge ? { ok: false, status: 413, error: 'files.tooLarge' } : { ok: false, status: 422, error: 'files.empty' };
    }
    const keys: string[] = [];
    try {
      const mime = sniffType(file.head);
      const image = SAFE_IMAGES.has(mime) ? await this.thumbnails.make(file.path) : null;
      const thumbKey = image ? randomUUID() : null;
      if (image && thumbKey) {
        await this.storage.write(thumbKey, Readable.from([image.webp]));
        keys.push(thumbKey);
      }
      const storageKey = randomUUID();
      await this.storage.adopt(storageKey, file.path);
      return { ok: true, fields, name: file.name, size: file.size, mime, storageKey, thumbKey, width: image?.width ?? null, height: image?.height ?? null };
    } catch (err) {
      await Promise.all([rm(file.path, { force: true }), ...keys.map((k) => this.storage.remove(k))]);
      throw err;
    }
  }

  /** Stored files that are no longer wanted (a retried upload's copy, an erased visitor's files). */
  async discard(keys: (string | null)[]): Promise<void> {
    await Promise.all(keys.filter((k): k is string => !!k).map((k) => this.storage.remove(k)));
  }

  /**
   * A file already on this machine (a script's, the demo's) stored as a message of its own, exactly as an upload
   * is: the temporary copy is moved into the storage, images get their thumbnail.
   */
  async storeFile(sender: Sender, conversation: Conversation, clientId: string, path: string, name: string): Promise<UploadResult> {
    const temporary = await this.storage.temporaryPath(randomUUID());
    await copyFile(path, temporary);
    const size = (await stat(temporary)).size;
    const handle = await open(temporary, 'r');
    const head = Buffer.alloc(Math.min(512, size));
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    return this.store(sender, conversation, clientId, { path: temporary, name: cleanFileName(name), size, head }, () => rm(temporary, { force: true }));
  }

  private async store(sender: Sender, conversation: Conversation, clientId: string, file: Received, discard: () => Promise<unknown>): Promise<UploadResult> {
    const keys: string[] = [];
    try {
      const mime = sniffType(file.head);
      const storageKey = randomUUID();
      let thumbKey: string | null = null;
      let width: number | null = null;
      let height: number | null = null;
      // An image over the pixel limit, or one that does not decode, gets no thumbnail and stays a plain download.
      const image = SAFE_IMAGES.has(mime) ? await this.thumbnails.make(file.path) : null;
      if (image) {
        thumbKey = randomUUID();
        await this.storage.write(thumbKey, Readable.from([image.webp]));
        keys.push(thumbKey);
        ({ width, height } = image);
      }
      await this.storage.adopt(storageKey, file.path);
      keys.push(storageKey);
      const to = { id: conversation.id, companyId: conversation.company.id };
      const result = await this.messages.send(sender, to, clientId, '', undefined, async (em, messageId) => {
        const attachment = Object.assign(new Attachment(), {
          company: conversation.company,
          conversation,
          message: em.getReference(Message, messageId),
          storageKey,
          thumbKey,
          name: file.name,
          size: file.size,
          mime,
          width,
          height,
        });
        em.persist(attachment);
        await em.flush();
      });
      // A retried upload of the same message keeps the first copy only.
      if (!result.created) await Promise.all(keys.map((k) => this.storage.remove(k)));
      return { ok: true, ...result };
    } catch (err) {
      await Promise.all([discard(), ...keys.map((k) => this.storage.remove(k))]);
      throw err;
    }
  }

  /** A deleted message takes its files with it. */
  @OnEvent('chat.message', { async: true, promisify: true })
  async onMessage(event: ChatMessageEvent): Promise<void> {
    if (event.kind !== 'deleted') return;
    const em = this.em.fork();
    const rows = await em.find(Attachment, { message: event.messageId }, { filters: false });
    await Promise.all(rows.flatMap((a) => [this.storage.remove(a.storageKey), a.thumbKey ? this.storage.remove(a.thumbKey) : Promise.resolve()]));
    await em.nativeDelete(Attachment, { message: event.messageId }, { filters: false });
  }

  private parse(req: Request): Promise<{ fields: Record<string, string>; file?: Received; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
      const fields: Record<string, string> = {};
      let file: Received | undefined;
      let tooLarge = false;
      let writing: Promise<void> = Promise.resolve();
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          // busboy flags a file that reaches fileSize, not one that passes it: one byte more, so that a file of
          // exactly fileMaxBytes is accepted and only a bigger one is cut off and refused.
          limits: { files: 1, fileSize: this.config.fileMaxBytes + 1, fields: 10, fieldSize: 1000 },
        });
      } catch (err) {
        return reject(err);
      }
      parser.on('field', (name, value) => (fields[name] = value));
      parser.on('file', (_field, stream, info) => {
        writing = (async () => {
          const path = await this.storage.temporaryPath(randomUUID());
          const received: Received = { path, name: cleanFileName(info.filename), size: 0, head: Buffer.alloc(0) };
          file = received;
          stream.on('data', (chunk: Buffer) => {
            if (received.head.length < 512) received.head = Buffer.concat([received.head, chunk]).subarray(0, 512);
            received.size += chunk.length;
          });
          stream.on('limit', () => (tooLarge = true));
          await pipeline(stream, createWriteStream(path));
        })();
        writing.catch(() => undefined);
      });
      parser.on('error', (err) => {
        void writing.catch(() => undefined).then(() => (file ? rm(file.path, { force: true }) : undefined));
        reject(err);
      });
      parser.on('close', () => {
        writing.then(
          () => resolve({ fields, file, tooLarge }),
          async (err: unknown) => {
            if (file) await rm(file.path, { force: true });
            reject(err);
          },
        );
      });
      req.on('aborted', () => parser.destroy(new Error('the upload was interrupted')));
      req.pipe(parser);
    });
  }
}
