import { CeqlError, type Expr, type OrderKey } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { parseOrderBy, parseWhere } from './parser.ts';

/** A bulk query: `select * | path[, path…] from object [where …] [order by …]`. */
export interface SelectQuery {
  /** Dotted paths selected; undefined for `*`. */
  fields: string[] | undefined;
  objectName: string;
  where: Expr | undefined;
  orderBy: OrderKey[] | undefined;
}

const word = (t: Token | undefined, w: string) => t !== undefined && t.kind === 'ident' && t.text.toLowerCase() === w;

/**
 * Parses the CEQL `select` of bulk queries. The `where` and `order by` parts are the hub's own
 * grammars (`parseWhere`, `parseOrderBy`), cut out of the text at their top-level keywords, which
 * the lexer never confuses with text inside a string.
 */
export function parseSelect(input: string): SelectQuery {
  const text = input.trimStart();
  if (!word(tokenize(text.slice(0, 6))[0], 'select') || !/\s/.test(text[6] ?? '')) throw new CeqlError('A bulk query starts with select', 0);
  let rest = text.slice(7).trimStart();
  let all = false;
  if (rest.startsWith('*')) {
    all = true;
    rest = rest.slice(1);
  }
  const tokens = tokenize(rest);
  let i = 0;
  const fields: string[] = [];
  if (!all) {
    for (;;) {
      const parts: string[] = [];
      for (;;) {
        const t = tokens[i]!;
        if (t.kind !== 'ident' && t.kind !== 'quotedIdent') throw new CeqlError('Expected a field to select', t.offset);
        parts.push(t.text);
        i++;
        if (tokens[i]!.kind !== 'dot') break;
        i++;
      }
      fields.push(parts.join('.'));
      if (tokens[i]!.kind !== 'comma') break;
      i++;
    }
  }
  if (!word(tokens[i], 'from')) throw new CeqlError('Expected from', tokens[i]!.offset);
  const object = tokens[++i]!;
  if (object.kind !== 'ident') throw new CeqlError('Expected the object to select from', object.offset);
  i++;
  let where: Expr | undefined;
  let orderBy: OrderKey[] | undefined;
  const orderAt = tokens.findIndex((t, k) => k >= i && word(t, 'order') && word(tokens[k + 1], 'by'));
  if (word(tokens[i], 'where')) {
    const end = orderAt < 0 ? rest.length : tokens[orderAt]!.offset;
    where = parseWhere(rest.slice(tokens[i + 1]!.offset, end));
    i = orderAt < 0 ? tokens.length - 1 : orderAt;
  }
  if (orderAt >= 0 && i === orderAt) {
    orderBy = parseOrderBy(rest.slice(tokens[orderAt + 2]!.offset));
    i = tokens.length - 1;
  }
  if (tokens[i]!.kind !== 'eof') throw new CeqlError('Expected where, order by or the end of the query', tokens[i]!.offset);
  return { fields: all ? undefined : fields, objectName: object.text, where, orderBy };
}
