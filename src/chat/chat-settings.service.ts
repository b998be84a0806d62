import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User } from '../accounts/user.entity';
import { ChatSettings, LIST_VIEWS, OPEN_IN, OpenWindow, SORT_BY } from './chat-settings.entity';

export type SettingsPatch = Partial<
  Pick<ChatSettings, 'collapsed' | 'listView' | 'openIn' | 'sortBy' | 'splitTabs' | 'sound' | 'windowWidth' | 'windowHeight' | 'openWindows'>
>;

const MAX_OPEN_WINDOWS = 12;

/** Reads a settings form: only known fields with valid values; anything else is ignored. */
export function parseSettings(body: Record<string, unknown>): SettingsPatch {
  const patch: SettingsPatch = {};
  const bool = (v: unknown) => v === 'true' || v === 'on' || v === true;
  const size = (v: unknown, min: number, max: number) => {
    const n = Math.round(Number(v));
    return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : undefined;
  };
  if ('collapsed' in body) patch.collapsed = bool(body.collapsed);
  if ('splitTabs' in body) patch.splitTabs = bool(body.splitTabs);
  if ('sound' in body) patch.sound = bool(body.sound);
  if ((LIST_VIEWS as readonly unknown[]).includes(body.listView)) patch.listView = body.listView as ChatSettings['listView'];
  if ((OPEN_IN as readonly unknown[]).includes(body.openIn)) patch.openIn = body.openIn as ChatSettings['openIn'];
  if ((SORT_BY as readonly unknown[]).includes(body.sortBy)) patch.sortBy = body.sortBy as ChatSettings['sortBy'];
  const width = size(body.windowWidth, 280, 2000);
  const height = size(body.windowHeight, 240, 2000);
  if (width !== undefined) patch.windowWidth = width;
  if (height !== undefined) patch.windowHeight = height;
  if (typeof body.openWindows === 'string') {
    try {
      const parsed: unknown = JSON.parse(body.openWindows);
      if (Array.isArray(parsed)) {
        patch.openWindows = parsed
          .filter((w): w is OpenWindow => Number.isSafeInteger((w as OpenWindow)?.conversationId))
          .slice(0, MAX_OPEN_WINDOWS)
          .map((w) => ({ conversationId: w.conversationId, maximized: w.maximized !== false, x: size(w.x, 0, 5000), y: size(w.y, 0, 5000) }));
      }
    } catch {
      // a malformed list keeps the stored one
    }
  }
  return patch;
}

@Injectable()
export class ChatSettingsService {
  constructor(private readonly em: EntityManager) {}

  /** The stored settings, or the defaults (not stored until first changed). */
  async get(user: User): Promise<ChatSettings> {
    return (await this.em.findOne(ChatSettings, { userId: user.id })) ?? new ChatSettings(user.id, user.company);
  }

  async update(user: User, patch: SettingsPatch): Promise<ChatSettings> {
    const settings = await this.get(user);
    Object.assign(settings, patch);
    await this.em.persistAndFlush(settings);
    return settings;
  }
}
