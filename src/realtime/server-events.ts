import { z } from 'zod';
import { idOf } from '../chat/message.form';

/** What the server sends to browsers over Socket.IO. */
export interface ServerToClientEvents {
  /** A change to a conversation's messages: the change sequence it brings the conversation to, and the messages as they now are. */
  messages: (event: { conversationId: number; seq: number; html: string }) => void;
  /** The conversation's read watermark ("slowest:lowest:next") moved on: ticks turn green. */
  read: (event: { conversationId: number; read: string }) => void;
  /** Rendered HTML of app-shell pieces with out-of-band targets: badges, presence dots, notifications, object links. */
  html: (fragment: string) => void;
  /**
   * A new message for this user in one packet: the message as its window shows it (with its change sequence),
   * the conversation's new unread badge (html), and what the sound, the title, the announcement and the panel's
   * order need (entry: the panel entry's key, which a conversation begun since the panel was drawn does not carry yet).
   */
  notify: (event: {
    conversationId: number;
    authorName: string;
    html: string;
    seq: number;
    message?: string;
    entry: string;
    /** The message's id, which a desktop notification is shown once for across the user's tabs, and its first words. */
    messageId: number;
    preview: string;
    /** The user muted this conversation: the badge counts, nothing chimes or pops up. */
    muted?: boolean;
  }) => void;
  /** Something the page shows changed in a way it should reload: the panel, a window that is gone, or (resync) every open chat. */
  refresh: (event: { panel?: boolean; closeConversationId?: number; resync?: boolean }) => void;
}

export type SendAck = { ok: true; seq: number; html: string; created: boolean } | { ok: false; status: number; error: string };
export interface Position {
  id: number;
  seq: number;
  read: string;
}

export interface ClientToServerEvents {
  'conversation:join': (conversationId: number, ack?: (ok: boolean) => void) => void;
  'conversation:leave': (conversationId: number) => void;
  /** Where the page's conversations stand, to check what it shows against: a missed push is caught up from here. */
  sync: (conversationIds: number[], ack: (positions: Position[]) => void) => void;
  /** `cleared`: the page has cleared its own badge (it sees nothing unread after upTo). */
  read: (event: { conversationId: number; upTo: number; cleared?: boolean }) => void;
  'message:send': (event: { conversationId: number; clientId: string; body: string; replyTo?: number }, ack: (result: SendAck) => void) => void;
}

/** Every event a page may send, with the shape of its payload; anything else is dropped unread. */
export const CLIENT_EVENTS = {
  'conversation:join': idOf,
  'conversation:leave': idOf,
  sync: z.array(idOf).max(100),
  read: z.object({ conversationId: idOf, upTo: idOf, cleared: z.boolean().optional() }),
  'message:send': z.looseObject({ conversationId: idOf }),
} satisfies Record<keyof ClientToServerEvents, z.ZodType>;

export type ClientEvent = keyof typeof CLIENT_EVENTS;

/** What one instance tells the others (through the Redis adapter). */
export interface InterServerEvents {
  /** A company's plan changed: every instance brings its own sockets of the company up to date. */
  'plan-changed': (event: { companyId: number; chat: boolean }) => void;
}

export interface SocketData {
  userId: number;
  companyId: number;
  sessionHash: string;
  locale: 'pl' | 'en';
  /** The company's plan has the chat: set when the socket comes, and again when the operator changes the plan. */
  chat: boolean;
  /** A support agent of the operator's company: their pages show the Help conversations live. */
  support?: boolean;
}

export const userRoom = (userId: number) => `user:${userId}`;
export const companyRoom = (companyId: number) => `company:${companyId}`;
/** The support team's pages (in each language). */
export const SUPPORT_ROOM = 'support';
export const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;
/**
 * Rooms that receive rendered HTML carry the page's language, so each language's render reaches only its pages
 * without an `except` over a whole language (which Socket.IO would walk socket by socket for every emit).
 */
export const inLocale = (room: string, locale: string) => `${room}@${locale}`;
/** Every page that shows the conversation. */
export const conversationRoom = (conversationId: number) => `conv:${conversationId}`;
