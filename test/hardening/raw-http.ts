import http from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

export interface HttpRoute {
  method: string;
  /** As declared, e.g. /crm/:kind/:id. */
  path: string;
  params: string[];
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'];

/** Every route the running app answers, read from the Express router Nest registered them on: new routes are included by themselves. */
export function httpRoutes(app: NestExpressApplication): HttpRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  const routes: HttpRoute[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
    for (const path of Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path]) {
      for (const method of layer.route.methods._all ? ALL_METHODS : methods) {
        routes.push({ method: method.toUpperCase(), path, params: [...path.matchAll(/[:*](\w+)/g)].map((m) => m[1]) });
      }
    }
  }
  return routes;
}

/** The route's path with its parameters replaced (values are put in the request line as they are, unencoded). */
export function fill(route: HttpRoute, params: Record<string, string>): string {
  return route.path.replace(/[:*](\w+)/g, (_, name: string) => params[name] ?? 'x').replace(/[{}]/g, '');
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  /** When no status came back: the connection was reset, or nothing arrived in time. */
  error?: string;
}

/**
 * A request exactly as given (bytes that are not UTF-8 in the path included), without the conveniences of a
 * client library that would refuse or repair them. The response body is read and dropped.
 */
export function sendRaw(baseUrl: string, agent: http.Agent, req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    let request: http.ClientRequest;
    try {
      request = http.request(
        {
          agent,
          hostname,
          port,
          method: req.method,
          path: req.path,
          headers: { ...(req.body ? { 'Content-Length': String(req.body.length) } : {}), ...req.headers },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', (err) => resolve({ status: res.statusCode ?? 0, error: err.message }));
        },
      );
    } catch (err) {
      // Node itself refuses to send it (a character no request line may hold): nothing reached the server.
      return resolve({ status: -1, error: (err as Error).message });
    }
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (err) => resolve({ status: 0, error: err.message }));
    request.end(req.body);
  });
}

/** Runs the tasks with at most `limit` at once, in order of start. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
