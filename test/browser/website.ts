import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';

export interface Website {
  server: Server;
  port: number;
}

const SHOP = { '/': { title: 'Acme shop', body: '<h1>Acme shop</h1><p>Buy things.</p>' } };

/** A tiny website on another origin (localhost, another port: another site than Gwar's 127.0.0.1) with the snippet on every page. */
export async function website(snippet: string, pages: Record<string, { title: string; body: string }> = SHOP): Promise<Website> {
  const server = createServer((req, res) => {
    const page = pages[req.url ?? '/'] ?? pages['/'];
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>${page.title}</title></head><body>${page.body}${snippet}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Chooses a presence status from a signed-in page, with the page's own CSRF header, as the status picker does. */
export function chooseStatus(page: Page, status: string): Promise<number> {
  return page.evaluate(async (status) => {
    const headers = JSON.parse(document.body.getAttribute('hx-headers:inherited') ?? '{}') as Record<string, string>;
    const res = await fetch('/presence/status', {
      method: 'POST',
      headers: { ...headers, 'HX-Request': 'true', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `status=${status}`,
    });
    return res.status;
  }, status);
}
