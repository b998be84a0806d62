import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { User } from '../accounts/user.entity';
import { FileStorageProvider } from '../files/file-storage.provider';
import { LiveChat, LivechatChats } from './chats.service';
import { LivechatTransfers } from './transfer.service';
import { VisitorDetailsService } from './visitor-details';

export interface TransferForm {
  values: Record<string, string>;
  errors: Record<string, string>;
  name?: string;
  cap?: number;
}

/** Everything a consultant's chat page shows: the log, the visitor's details, the transfers' notes and the forms (answer, file, transfer). */
@Injectable()
export class ChatPageModel {
  constructor(
    private readonly chats: LivechatChats,
    private readonly transfers: LivechatTransfers,
    private readonly details: VisitorDetailsService,
    private readonly storage: FileStorageProvider,
  ) {}

  async of(me: User, chat: LiveChat, parts: { composer?: object; transfer?: TransferForm } = {}): Promise<object> {
    return {
      chat,
      messages: await this.chats.messages(chat),
      composer: parts.composer ?? { clientId: randomUUID(), body: '' },
      details: await this.details.of(chat),
      transfers: await this.transfers.of(chat),
      candidates: await this.transfers.candidates(me),
      transfer: parts.transfer ?? { values: {}, errors: {} },
      upload: { clientId: randomUUID(), maxMb: Math.round(this.storage.maxBytes / 1048576) },
    };
  }
}
