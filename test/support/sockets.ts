import { io, Socket } from 'socket.io-client';

/** A real Socket.IO client, authenticated the way a page is: by its session cookie. */
export function connectSocket(url: string, cookie: string, headers: Record<string, string> = {}, auth: Record<string, string> = {}): Socket {
  return io(url, { transports: ['websocket'], extraHeaders: { Cookie: cookie, ...headers }, auth, reconnection: false, forceNew: true });
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

export function refused(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the socket was admitted')));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

export function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}
