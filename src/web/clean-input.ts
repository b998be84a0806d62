import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** Deeper than any form or API body of ours: anything nested further is refused rather than walked. */
const MAX_DEPTH = 16;

/**
 * Text as we store it: NFC, well-formed UTF-16 (a lone surrogate becomes U+FFFD) and without NUL, which
 * PostgreSQL refuses in text. Applied to every string a request brings, so no route can forget it.
 */
export function cleanText(value: string): string {
  const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return clean.toWellFormed().normalize('NFC');
}

/** A copy of parsed input with every string cleaned; refuses (400) nesting deeper than MAX_DEPTH. */
export function cleanValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw new BadRequestException('The request is nested too deeply.');
  if (Array.isArray(value)) return value.map((item) => cleanValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[cleanText(key)] = cleanValue(item, depth + 1);
  return copy;
}

/**
 * Runs after the body parsers: a body they did not parse (another content type) is an empty object, so a
 * handler reads missing fields instead of throwing, and the query is replaced by its cleaned copy (in
 * Express 5 `req.query` is a getter that parses anew on every read).
 */
export function cleanInput(req: Request, _res: Response, next: NextFunction): void {
  try {
    req.body = req.body === undefined || req.body === null ? {} : cleanValue(req.body);
    const query = cleanValue(req.query);
    Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
    next();
  } catch (err) {
    next(err);
  }
}
