import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, NotFoundException } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Response } from 'express';
import type { User } from '../accounts/user.entity';
import { sendFile, sendThumbnail } from '../files/file-response';
import { FileStorageProvider } from '../files/file-storage.provider';
import { UploadsService } from '../files/uploads.service';
import { sql } from './sql';
import type { Visitor } from './visitors.service';

interface StoredFile {
  storage_key: string;
  thumb_key: string | null;
  name: string;
  size: string;
  mime: string;
}

export interface LivechatVisitorErased {
  companyId: number;
  /** Consultants who held one of the visitor's open chats: their panel loses it. */
  consultantIds: number[];
}

/** What the visitor or consultant reads when an upload is refused. */
export const UPLOAD_ERRORS = {
  'files.tooLarge': 'livechat.uploadTooLarge',
  'files.empty': 'livechat.uploadEmpty',
  'files.missing': 'livechat.uploadMissing',
  'files.interrupted': 'livechat.uploadFailed',
} as const;

const PUBLIC_ID = /^[A-Za-z0-9_-]{16,64}$/;
const COLUMNS = `f.storage_key, f.thumb_key, f.name, f.size, f.mime`;

/**
 * The files of Livechat conversations. A visitor reaches a file only of a chat of theirs (by their token); a
 * signed-in user only of their company, and only a chat they hold or answered in, or any as its admin or
 * director. Anything else, a guessed id included, is a 404.
 */
@Injectable()
export class LivechatFiles {
  constructor(
    private readonly em: EntityManager,
    private readonly uploads: UploadsService,
    private readonly storage: FileStorageProvider,
    private readonly events: EventEmitter2,
  ) {}

  async ofVisitor(visitor: Visitor, publicId: string): Promise<StoredFile> {
    if (!PUBLIC_ID.test(publicId)) throw new NotFoundException();
    const [row] = await sql<StoredFile>(
      this.em,
      `select ${COLUMNS} from livechat_file f join livechat_chat c on c.id = f.chat_id and c.company_id = f.company_id
        where f.public_id = ? and f.company_id = ? and c.visitor_id = ?`,
      [publicId, visitor.companyId, visitor.id],
    );
    if (!row) throw new NotFoundException();
    return row;
  }

  async ofStaff(me: User, publicId: string): Promise<StoredFile> {
    if (!PUBLIC_ID.test(publicId)) throw new NotFoundException();
    const all = me.role === 'admin' || me.role === 'director';
    const [row] = await sql<StoredFile>(
      this.em,
      `select ${COLUMNS} from livechat_file f join livechat_chat c on c.id = f.chat_id and c.company_id = f.company_id
        where f.public_id = ? and f.company_id = ?
          and (?::boolean or c.consultant_id = ?
               or exists (select 1 from livechat_message m where m.chat_id = c.id and m.company_id = c.company_id and m.consultant_id = ?))`,
      [publicId, me.company.id, all, me.id, me.id],
    );
    if (!row) throw new NotFoundException();
    return row;
  }

  /** The file as the company chat sends its own: raster images shown, everything else only ever downloaded. */
  download(res: Response, file: StoredFile): void {
    sendFile(res, this.storage.files, { name: file.name, mime: file.mime, size: file.size, storageKey: file.storage_key, thumbKey: file.thumb_key });
  }

  thumbnail(res: Response, file: StoredFile): void {
    if (!file.thumb_key) throw new NotFoundException();
    sendThumbnail(res, this.storage.files, file.thumb_key);
  }

  /**
   * "Delete this visitor": their chats, messages, files (rows and stored bytes), details and the messages they
   * left, at once. An open chat of theirs leaves its consultant's panel.
   */
  async eraseVisitor(companyId: number, visitorId: number): Promise<void> {
    const { keys, consultants } = await this.em.transactional(async (em) => {
      const files = await sql<{ storage_key: string; thumb_key: string | null }>(
        em,
        `select f.storage_key, f.thumb_key from livechat_file f join livechat_chat c on c.id = f.chat_id and c.company_id = f.company_id
          where c.visitor_id = ? and c.company_id = ?`,
        [visitorId, companyId],
      );
      const open = await sql<{ consultant_id: number }>(
        em,
        `select distinct consultant_id from livechat_chat where visitor_id = ? and company_id = ? and status <> 'closed' and consultant_id is not null`,
        [visitorId, companyId],
      );
      await sql(em, `delete from livechat_left_message where visitor_id = ? and company_id = ?`, [visitorId, companyId]);
      await sql(em, `delete from livechat_visitor where id = ? and company_id = ?`, [visitorId, companyId]);
      return { keys: files.flatMap((f) => [f.storage_key, f.thumb_key]), consultants: open.map((o) => o.consultant_id) };
    });
    await this.uploads.discard(keys);
    this.events.emit('livechat.visitor.erased', { companyId, consultantIds: consultants } satisfies LivechatVisitorErased);
  }
}
