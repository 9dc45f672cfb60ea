/** CEQL abstract syntax. Vendor-neutral: an element translates it into its vendor's query language or evaluates it in memory. */

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export interface FieldRef {
  /** Path segments: `a.b` → `['a','b']`; a back-ticked `` `a.b` `` stays one segment. */
  path: string[];
  /** The field as written, without back-ticks: what error messages show. */
  name: string;
  offset: number;
}

export type Value = { kind: 'string'; value: string } | { kind: 'number'; value: number; raw: string } | { kind: 'boolean'; value: boolean };

export type Expr =
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Value }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Value[] }
  | { kind: 'null'; field: FieldRef; negated: boolean }
  | { kind: 'like'; field: FieldRef; negated: boolean; pattern: string };

export interface OrderKey {
  field: FieldRef;
  direction: 'asc' | 'desc';
}

/** A CEQL error with the character offset where it was found (0-based). */
export class CeqlError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at position ${offset}`);
    this.name = 'CeqlError';
    this.offset = offset;
  }
}
