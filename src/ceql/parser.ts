import { CeqlError, type CompareOp, type Expr, type FieldRef, type OrderKey, type Value } from './ast.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';

const MAX_DEPTH = 64;
const MAX_LIKE_LENGTH = 200;
const MAX_LIKE_WILDCARDS = 10;

/**
 * Recursive-descent parser for the CEQL `where` grammar (open-connectors-api.md §5.2):
 * OR binds loosest, then AND, then NOT; predicates are comparisons, [NOT] IN, IS [NOT] NULL and
 * [NOT] LIKE. Errors carry the character offset of the offending token.
 */
export function parseWhere(input: string): Expr {
  const p = new Parser(tokenize(input));
  const expr = p.orExpr(0);
  p.expect('eof', 'end of query');
  return expr;
}

/** `orderBy=name desc, created asc`: comma-separated fields, each with an optional direction. */
export function parseOrderBy(input: string): OrderKey[] {
  const p = new Parser(tokenize(input));
  const keys: OrderKey[] = [];
  do {
    const field = p.field();
    let direction: 'asc' | 'desc' = 'asc';
    if (p.accept('ASC')) direction = 'asc';
    else if (p.accept('DESC')) direction = 'desc';
    keys.push({ field, direction });
  } while (p.accept('comma'));
  p.expect('eof', 'end of orderBy');
  return keys;
}

class Parser {
  #pos = 0;
  readonly #tokens: Token[];

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  accept(kind: TokenKind): Token | undefined {
    if (this.#peek.kind !== kind) return undefined;
    return this.#tokens[this.#pos++];
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.accept(kind);
    if (!t) throw new CeqlError(`Expected ${what} but found ${describe(this.#peek)}`, this.#peek.offset);
    return t;
  }

  orExpr(depth: number): Expr {
    let left = this.andExpr(depth);
    while (this.accept('OR')) left = { kind: 'or', left, right: this.andExpr(depth) };
    return left;
  }

  andExpr(depth: number): Expr {
    let left = this.notExpr(depth);
    while (this.accept('AND')) left = { kind: 'and', left, right: this.notExpr(depth) };
    return left;
  }

  notExpr(depth: number): Expr {
    if (this.accept('NOT')) return { kind: 'not', expr: this.notExpr(depth + 1) };
    return this.primary(depth);
  }

  primary(depth: number): Expr {
    if (depth > MAX_DEPTH) throw new CeqlError('Query nested too deeply', this.#peek.offset);
    if (this.accept('lparen')) {
      const e = this.orExpr(depth + 1);
      this.expect('rparen', '")"');
      return e;
    }
    return this.predicate();
  }

  predicate(): Expr {
    const field = this.field();
    const t = this.#peek;
    if (t.kind === 'op') {
      this.#pos++;
      return { kind: 'compare', field, op: t.text as CompareOp, value: this.value() };
    }
    if (this.accept('IS')) {
      const negated = this.accept('NOT') !== undefined;
      this.expect('NULL', 'NULL');
      return { kind: 'null', field, negated };
    }
    const negated = this.accept('NOT') !== undefined;
    if (this.accept('IN')) {
      this.expect('lparen', '"(" after IN');
      const values = [this.value()];
      while (this.accept('comma')) values.push(this.value());
      this.expect('rparen', '")"');
      return { kind: 'in', field, negated, values };
    }
    if (this.accept('LIKE')) {
      const s = this.expect('string', 'a quoted pattern after LIKE');
      // Bounds the work of matching, in memory and in the database alike.
      if ([...s.text].length > MAX_LIKE_LENGTH) throw new CeqlError(`A LIKE pattern can be at most ${MAX_LIKE_LENGTH} characters long`, s.offset);
      if ((s.text.match(/%/g)?.length ?? 0) > MAX_LIKE_WILDCARDS)
        throw new CeqlError(`A LIKE pattern can have at most ${MAX_LIKE_WILDCARDS} % wildcards`, s.offset);
      return { kind: 'like', field, negated, pattern: s.text };
    }
    throw new CeqlError(`Expected an operator after field "${field.name}" but found ${describe(this.#peek)}`, this.#peek.offset);
  }

  field(): FieldRef {
    const t = this.#peek;
    if (t.kind === 'quotedIdent') {
      this.#pos++;
      return { path: [t.text], name: t.text, offset: t.offset };
    }
    if (t.kind !== 'ident') throw new CeqlError(`Expected a field name but found ${describe(t)}`, t.offset);
    this.#pos++;
    const path = [t.text];
    while (this.accept('dot')) path.push(this.expect('ident', 'a field name after "."').text);
    return { path, name: path.join('.'), offset: t.offset };
  }

  value(): Value {
    const t = this.#peek;
    this.#pos++;
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.text };
      case 'number':
        return { kind: 'number', value: Number(t.text), raw: t.text };
      case 'TRUE':
        return { kind: 'boolean', value: true };
      case 'FALSE':
        return { kind: 'boolean', value: false };
      default:
        this.#pos--;
        throw new CeqlError(`Expected a value (a quoted string, a number, true or false) but found ${describe(t)}`, t.offset);
    }
  }
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the query' : `"${t.text}"`;
}
