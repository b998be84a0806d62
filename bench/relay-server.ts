import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { announce, serve } from './ipc';

/**
 * The yardstick: a bare Socket.IO relay with Gwar's wire shape (the same 'message:send' with its acknowledgement,
 * POST path and form, 'conversation:join' rooms and 'messages' pushes) but no database, no sessions and no templates.
 */
const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

const http = createServer((req, res) => {
  const match = /^\/chat\/conversations\/(\d+)\/messages$/.exec(req.url ?? '');
  if (req.url === '/health') return void res.writeHead(200).end('ok');
  if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
  let data = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (data += chunk));
  req.on('end', () => {
    const form = new URLSearchParams(data);
    const html = `<li id="m-${escape(form.get('clientId') ?? '')}" class="msg">${escape(form.get('body') ?? '')}</li>`;
    io.to(`conv:${match[1]}`).emit('messages', { conversationId: Number(match[1]), seq: 0, html });
    res.writeHead(201, { 'Content-Type': 'text/html' }).end(html);
  });
});

const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('conversation:join', (id: unknown, ack?: (ok: boolean) => void) => {
    void socket.join(`conv:${Number(id)}`);
    if (typeof ack === 'function') ack(true);
  });
  // The composer's send: the message to the others in the room, and the acknowledgement with its HTML.
  socket.on('message:send', (payload: { conversationId?: unknown; clientId?: unknown; body?: unknown }, ack?: (answer: object) => void) => {
    const conversationId = Number(payload?.conversationId);
    const html = `<li id="m-${escape(String(payload?.clientId ?? ''))}" class="msg">${escape(String(payload?.body ?? ''))}</li>`;
    socket.to(`conv:${conversationId}`).emit('messages', { conversationId, seq: 0, html });
    if (typeof ack === 'function') ack({ ok: true, seq: 0, html });
  });
});

http.listen(0, '127.0.0.1', () => {
  serve({ queries: () => 0 });
  announce('ready', { port: (http.address() as AddressInfo).port });
});
process.once('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
