import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/** Deeper JSON is no request of any client of ours; parsing and walking it costs stack. */
export const MAX_JSON_DEPTH = 100;

/**
 * How deeply `text` nests objects and arrays, counted without parsing (brackets inside strings
 * do not count), and stopping as soon as `limit` is passed: one pass, no recursion.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Fastify's JSON parser (with prototype-poisoning protection), except that an empty body is
 * accepted as "no body": Open Connectors clients send `DELETE` with `Content-Type:
 * application/json` and nothing (or the literal `null`) after it. A body nested more than
 * `MAX_JSON_DEPTH` levels is refused before it is parsed.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(new ApiError('INVALID_JSON', `The JSON body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return;
    }
    parse(request, text, done);
  });
}
