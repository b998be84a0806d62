import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { User } from '../accounts/user.entity';
import { z } from 'zod';
import { optional } from '../web/form';
import { ChatSettings, LIST_VIEWS, OPEN_IN, OpenWindow, SORT_BY } from './chat-settings.entity';

export type SettingsPatch = Partial<
  Pick<ChatSettings, 'collapsed' | 'listView' | 'openIn' | 'sortBy' | 'splitTabs' | 'sound' | 'windowWidth' | 'windowHeight' | 'openWindows'>
>;

const MAX_OPEN_WINDOWS = 12;

const flag = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true' || v === 'on');
/** A size in pixels from a form or a script, kept within what a screen can hold. */
const pixels = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^-?\d{1,6}(\.\d+)?$/).transform(Number)]).pipe(z.number().transform((n) => Math.min(max, Math.max(min, Math.round(n)))));
const openWindow = z.object({
  conversationId: z.number().int().positive().max(2_147_483_647),
  maximized: z.boolean().optional(),
  front: z.boolean().optional(),
  x: pixels(0, 5000).optional(),
  y: pixels(0, 5000).optional(),
});
const openWindows = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'form.invalid' });
    return z.NEVER;
  }
});

/** Each setting is read on its own: one that is missing or malformed keeps the stored value. */
const settingsFields = {
  collapsed: flag,
  splitTabs: flag,
  sound: flag,
  listView: z.enum(LIST_VIEWS),
  openIn: z.enum(OPEN_IN),
  sortBy: z.enum(SORT_BY),
  windowWidth: pixels(280, 2000),
  windowHeight: pixels(240, 2000),
  openWindows: openWindows.pipe(z.array(z.unknown()).max(100)).transform((list) =>
    list
      .map((w) => openWindow.safeParse(w))
      .filter((r) => r.success)
      .slice(0, MAX_OPEN_WINDOWS)
      .map(({ data: w }) => ({ conversationId: w.conversationId, maximized: w.maximized !== false, front: w.front === true || undefined, x: w.x, y: w.y }) satisfies OpenWindow),
  ),
};

/** Reads a settings form: only known fields with valid values; anything else is ignored. */
export function parseSettings(body: Record<string, unknown>): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(settingsFields)) {
    if (!(name in body)) continue;
    const value = optional(schema, body[name]);
    if (value !== undefined) patch[name] = value;
  }
  return patch as SettingsPatch;
}

@Injectable()
export class ChatSettingsService {
  constructor(private readonly em: EntityManager) {}

  /** The stored settings, or the defaults (not stored until first changed). */
  async get(user: User): Promise<ChatSettings> {
    return (await this.em.findOne(ChatSettings, { userId: user.id })) ?? new ChatSettings(user.id, user.company);
  }

  async update(user: User, patch: SettingsPatch): Promise<ChatSettings> {
    // The row first, with its defaults, so that two first saves at once (two tabs) both land instead of one failing.
    await this.em
      .getConnection()
      .execute(`insert into chat_settings (user_id, company_id) values (?, ?) on conflict (user_id) do nothing`, [user.id, user.company.id]);
    const settings = await this.em.findOneOrFail(ChatSettings, { userId: user.id });
    Object.assign(settings, patch);
    await this.em.flush();
    return settings;
  }
}
