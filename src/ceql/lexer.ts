import { CeqlError } from './ast.ts';

export type TokenKind =
  | 'ident'
  | 'quotedIdent'
  | 'string'
  | 'number'
  | 'op'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'dot'
  | 'eof'
  | 'AND'
  | 'OR'
  | 'NOT'
  | 'IN'
  | 'IS'
  | 'NULL'
  | 'LIKE'
  | 'TRUE'
  | 'FALSE'
  | 'ASC'
  | 'DESC';

export interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'TRUE', 'FALSE', 'ASC', 'DESC']);
const MAX_LENGTH = 10_000;

/** Splits CEQL into tokens. Keywords are case-insensitive; `''` inside a string is a quote. */
export function tokenize(input: string): Token[] {
  if (input.length > MAX_LENGTH) throw new CeqlError(`Query longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new CeqlError('Unterminated string', start);
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += input[i++];
      }
      tokens.push({ kind: 'string', text: value, offset: start });
    } else if (c === '`') {
      const end = input.indexOf('`', i + 1);
      if (end < 0) throw new CeqlError('Unterminated back-ticked field', start);
      if (end === i + 1) throw new CeqlError('Empty back-ticked field', start);
      tokens.push({ kind: 'quotedIdent', text: input.slice(i + 1, end), offset: start });
      i = end + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(input[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], offset: start });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(input.slice(i))!;
      const upper = m[0].toUpperCase();
      tokens.push({ kind: KEYWORDS.has(upper) ? (upper as TokenKind) : 'ident', text: m[0], offset: start });
      i += m[0].length;
    } else if (c === '(') {
      tokens.push({ kind: 'lparen', text: c, offset: start });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'rparen', text: c, offset: start });
      i++;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: c, offset: start });
      i++;
    } else if (c === '.') {
      tokens.push({ kind: 'dot', text: c, offset: start });
      i++;
    } else {
      const two = input.slice(i, i + 2);
      if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, offset: start });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ kind: 'op', text: c, offset: start });
        i++;
      } else {
        throw new CeqlError(`Unexpected character "${c}"`, start);
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: input.length });
  return tokens;
}
