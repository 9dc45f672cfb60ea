export * from './ast.ts';
export { parseWhere, parseOrderBy } from './parser.ts';
export { matches, comparator, readPath, likeMatches, type FieldReader } from './evaluate.ts';
export { printWhere, printField, printValue } from './printer.ts';
