/** What the server sends to browsers over Socket.IO. */
export interface ServerToClientEvents {
  /** Rendered HTML: message elements in a [data-chat-messages] wrapper, other pieces as out-of-band swaps. */
  html: (fragment: string) => void;
  /** A new message for this user, for the sound and the title when its window is not in focus, with the conversation's new unread badge. */
  notify: (event: { conversationId: number; authorName: string; html: string }) => void;
  /** Something the page shows changed in a way it should reload: the panel, a window that is gone, or (resync) every open chat. */
  refresh: (event: { panel?: boolean; closeConversationId?: number; resync?: boolean }) => void;
}

export interface ClientToServerEvents {
  'conversation:join': (conversationId: number, ack?: (ok: boolean) => void) => void;
  'conversation:leave': (conversationId: number) => void;
}

export const CLIENT_EVENTS = ['conversation:join', 'conversation:leave'] as const satisfies readonly (keyof ClientToServerEvents)[];

export interface SocketData {
  userId: number;
  companyId: number;
  sessionHash: string;
  locale: 'pl' | 'en';
}

export const userRoom = (userId: number) => `user:${userId}`;
export const companyRoom = (companyId: number) => `company:${companyId}`;
export const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;
/**
 * Rooms that receive rendered HTML carry the page's language, so each language's render reaches only its pages
 * without an `except` over a whole language (which Socket.IO would walk socket by socket for every emit).
 */
export const inLocale = (room: string, locale: string) => `${room}@${locale}`;
/** Every page that shows the conversation. */
export const conversationRoom = (conversationId: number) => `conv:${conversationId}`;
/** The pages of one member that show the conversation: where the author's own copy and the ticks go. */
export const memberRoom = (conversationId: number, userId: number) => `conv:${conversationId}:user:${userId}`;
