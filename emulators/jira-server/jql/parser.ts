/**
 * JQL lexer and recursive-descent parser. Errors use Jira's wording and position form
 * ("Error in the JQL Query: … (line 1, character N)", 1-based), so clients that show or parse
 * Jira's messages see what they would see against a real Jira.
 */

export type JqlOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not';

export type Operand =
  | { kind: 'value'; value: string; quoted: boolean; pos: number }
  | { kind: 'empty'; pos: number }
  | { kind: 'function'; name: string; args: string[]; pos: number }
  | { kind: 'list'; items: Operand[]; pos: number };

export interface FieldRef {
  /** As written (`cf[10100]`, `"Story Points"`, `status`). */
  name: string;
  /** `cf[N]` → N. */
  customId?: number;
  pos: number;
}

export type JqlExpr =
  | { kind: 'and'; left: JqlExpr; right: JqlExpr }
  | { kind: 'or'; left: JqlExpr; right: JqlExpr }
  | { kind: 'not'; expr: JqlExpr }
  | { kind: 'clause'; field: FieldRef; op: JqlOperator; operand: Operand; pos: number };

export interface OrderBy {
  field: FieldRef;
  direction: 'asc' | 'desc' | undefined;
}

export interface JqlQuery {
  where: JqlExpr | undefined;
  orderBy: OrderBy[];
}

export class JqlSyntaxError extends Error {}

type TokKind = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma' | 'cf' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  pos: number;
  upper: string;
}

const RESERVED = new Set(['+', '.', ',', ';', '?', '|', '*', '/', '%', '^', '$', '#', '@', '[', ']', '&']);
const WORD = /[A-Za-z0-9_\-:.*/]/;
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'EMPTY', 'NULL', 'ORDER', 'BY', 'ASC', 'DESC', 'WAS', 'CHANGED']);

const at = (pos: number) => `(line 1, character ${pos + 1})`;

function tokenize(q: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const push = (kind: TokKind, text: string, pos: number) => toks.push({ kind, text, pos, upper: text.toUpperCase() });
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new JqlSyntaxError(`Error in the JQL Query: The quoted string '${value}' has not been completed. ${at(start)}`);
        const ch = q[i]!;
        if (ch === '\\') {
          const next = q[i + 1];
          if (next === undefined) throw new JqlSyntaxError(`Error in the JQL Query: The quoted string '${value}' has not been completed. ${at(start)}`);
          if (next === 'u') {
            value += String.fromCharCode(parseInt(q.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (ch === c) {
          i++;
          break;
        }
        value += ch;
        i++;
      }
      push('string', value, start);
      continue;
    }
    if (c === '(') {
      push('lparen', c, start);
      i++;
      continue;
    }
    if (c === ')') {
      push('rparen', c, start);
      i++;
      continue;
    }
    if (c === ',') {
      push('comma', c, start);
      i++;
      continue;
    }
    const two = q.slice(i, i + 2);
    if (two === '!=' || two === '>=' || two === '<=' || two === '!~') {
      push('op', two, start);
      i += 2;
      continue;
    }
    if (two === '&&') {
      push('word', 'AND', start);
      i += 2;
      continue;
    }
    if (two === '||') {
      push('word', 'OR', start);
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<' || c === '~') {
      push('op', c, start);
      i++;
      continue;
    }
    if (c === '!') {
      push('word', 'NOT', start);
      i++;
      continue;
    }
    const cf = /^cf\[(\d+)\]/i.exec(q.slice(i));
    if (cf) {
      push('cf', cf[1]!, start);
      i += cf[0].length;
      continue;
    }
    if (WORD.test(c)) {
      let j = i;
      while (j < q.length && WORD.test(q[j]!)) j++;
      push('word', q.slice(i, j), start);
      i = j;
      continue;
    }
    if (RESERVED.has(c)) {
      const code = c.charCodeAt(0).toString(16).padStart(4, '0');
      throw new JqlSyntaxError(
        `Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${code}' instead. ${at(start)}`,
      );
    }
    throw new JqlSyntaxError(
      `Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead. ${at(start)}`,
    );
  }
  toks.push({ kind: 'eof', text: '', pos: q.length, upper: '' });
  return toks;
}

export function parseJql(q: string): JqlQuery {
  if (q.length > 100_000) throw new JqlSyntaxError('Error in the JQL Query: The query is too long.');
  const toks = tokenize(q);
  let p = 0;
  const peek = () => toks[p]!;
  const isWord = (w: string) => peek().kind === 'word' && peek().upper === w;
  const got = (t: Tok) => (t.kind === 'eof' ? 'end of query' : `'${t.text}'`);

  function field(): FieldRef {
    const t = peek();
    if (t.kind === 'cf') {
      p++;
      return { name: `cf[${t.text}]`, customId: Number(t.text), pos: t.pos };
    }
    if (t.kind === 'string' || (t.kind === 'word' && !KEYWORDS.has(t.upper))) {
      p++;
      return { name: t.text, pos: t.pos };
    }
    throw new JqlSyntaxError(`Error in the JQL Query: Expecting a field name but got ${got(t)}. ${at(t.pos)}`);
  }

  function operator(): JqlOperator {
    const t = peek();
    if (t.kind === 'op') {
      p++;
      return t.text as JqlOperator;
    }
    if (isWord('IN')) {
      p++;
      return 'in';
    }
    if (isWord('NOT')) {
      p++;
      if (isWord('IN')) {
        p++;
        return 'not in';
      }
      throw new JqlSyntaxError(`Error in the JQL Query: Expecting 'IN' but got ${got(peek())}. ${at(peek().pos)}`);
    }
    if (isWord('IS')) {
      p++;
      if (isWord('NOT')) {
        p++;
        return 'is not';
      }
      return 'is';
    }
    if (isWord('WAS') || isWord('CHANGED')) {
      throw new JqlSyntaxError(`Error in the JQL Query: The history operator '${t.text.toUpperCase()}' is not supported by this Jira emulator. ${at(t.pos)}`);
    }
    throw new JqlSyntaxError(
      `Error in the JQL Query: Expecting operator but got ${got(t)}. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. ${at(t.pos)}`,
    );
  }

  function single(): Operand {
    const t = peek();
    if (t.kind === 'string') {
      p++;
      return { kind: 'value', value: t.text, quoted: true, pos: t.pos };
    }
    if (t.kind === 'word' && (t.upper === 'EMPTY' || t.upper === 'NULL')) {
      p++;
      return { kind: 'empty', pos: t.pos };
    }
    if (t.kind === 'word' && !KEYWORDS.has(t.upper)) {
      p++;
      if (peek().kind === 'lparen') {
        p++;
        const args: string[] = [];
        if (peek().kind !== 'rparen') {
          for (;;) {
            const a = peek();
            if (a.kind !== 'string' && a.kind !== 'word')
              throw new JqlSyntaxError(`Error in the JQL Query: Expecting a function argument but got ${got(a)}. ${at(a.pos)}`);
            p++;
            args.push(a.text);
            if (peek().kind === 'comma') {
              p++;
              continue;
            }
            break;
          }
        }
        if (peek().kind !== 'rparen') throw new JqlSyntaxError(`Error in the JQL Query: Expecting ')' but got ${got(peek())}. ${at(peek().pos)}`);
        p++;
        return { kind: 'function', name: t.text, args, pos: t.pos };
      }
      return { kind: 'value', value: t.text, quoted: false, pos: t.pos };
    }
    throw new JqlSyntaxError(`Error in the JQL Query: Expecting either a value, list or function but got ${got(t)}. ${at(t.pos)}`);
  }

  function operand(op: JqlOperator): Operand {
    const t = peek();
    if (t.kind === 'lparen') {
      p++;
      const items = [single()];
      while (peek().kind === 'comma') {
        p++;
        items.push(single());
      }
      if (peek().kind !== 'rparen') throw new JqlSyntaxError(`Error in the JQL Query: Expecting ')' but got ${got(peek())}. ${at(peek().pos)}`);
      p++;
      return { kind: 'list', items, pos: t.pos };
    }
    const o = single();
    if ((op === 'in' || op === 'not in') && o.kind !== 'function') {
      throw new JqlSyntaxError(`Error in the JQL Query: Expecting '(' but got ${got(t)}. ${at(t.pos)}`);
    }
    return o;
  }

  function primary(depth: number): JqlExpr {
    if (depth > 100) throw new JqlSyntaxError('Error in the JQL Query: The query is nested too deeply.');
    if (isWord('NOT')) {
      p++;
      return { kind: 'not', expr: primary(depth + 1) };
    }
    if (peek().kind === 'lparen') {
      p++;
      const e = orExpr(depth + 1);
      if (peek().kind !== 'rparen') throw new JqlSyntaxError(`Error in the JQL Query: Expecting ')' but got ${got(peek())}. ${at(peek().pos)}`);
      p++;
      return e;
    }
    const pos = peek().pos;
    const f = field();
    const op = operator();
    return { kind: 'clause', field: f, op, operand: operand(op), pos };
  }

  function andExpr(depth: number): JqlExpr {
    let left = primary(depth);
    while (isWord('AND')) {
      p++;
      left = { kind: 'and', left, right: primary(depth) };
    }
    return left;
  }

  function orExpr(depth: number): JqlExpr {
    let left = andExpr(depth);
    while (isWord('OR')) {
      p++;
      left = { kind: 'or', left, right: andExpr(depth) };
    }
    return left;
  }

  let where: JqlExpr | undefined;
  if (peek().kind !== 'eof' && !isWord('ORDER')) where = orExpr(0);
  const orderBy: OrderBy[] = [];
  if (isWord('ORDER')) {
    p++;
    if (!isWord('BY')) throw new JqlSyntaxError(`Error in the JQL Query: Expecting 'BY' but got ${got(peek())}. ${at(peek().pos)}`);
    p++;
    for (;;) {
      const f = field();
      let direction: 'asc' | 'desc' | undefined;
      if (isWord('ASC')) {
        p++;
        direction = 'asc';
      } else if (isWord('DESC')) {
        p++;
        direction = 'desc';
      }
      orderBy.push({ field: f, direction });
      if (peek().kind === 'comma') {
        p++;
        continue;
      }
      break;
    }
  }
  if (peek().kind !== 'eof') {
    const t = peek();
    throw new JqlSyntaxError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got ${got(t)}. ${at(t.pos)}`);
  }
  return { where, orderBy };
}
