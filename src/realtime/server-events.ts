/** What the server sends to browsers over Socket.IO: rendered HTML for htmx to swap in. */
export interface ServerToClientEvents {
  /** Out-of-band HTML fragments, each with an id and hx-swap-oob. */
  html: (fragment: string) => void;
}

export type ClientToServerEvents = Record<string, never>;

export interface SocketData {
  userId: number;
  companyId: number;
  sessionHash: string;
}

export const userRoom = (userId: number) => `user:${userId}`;
export const companyRoom = (companyId: number) => `company:${companyId}`;
export const sessionRoom = (tokenHash: string) => `session:${tokenHash}`;
