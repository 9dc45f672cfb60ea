import type { FieldDefinition, Issue, User } from '../state/model.ts';
import type { JiraState } from '../state/state.ts';
import { zonedToUtc } from '../time.ts';
import { DATE_FUNCTIONS, evaluateDateFunction, parseDateLiteral, type DateRange } from './dates.ts';
import type { FieldRef, JqlExpr, JqlOperator, JqlQuery, Operand, OrderBy } from './parser.ts';

/** A JQL error that Jira reports as 400 `errorMessages`. */
export class JqlError extends Error {}

export interface CompileContext {
  state: JiraState;
  /** The searching user: `currentUser()` and the zone of date literals. */
  user: User;
  now: number;
  /** `validateQuery=false` turns unknown values into warnings. */
  validate: boolean;
  warnings: string[];
}

type Predicate = (issue: Issue) => boolean;
type Kind = 'project' | 'issuekey' | 'constant' | 'user' | 'labels' | 'component' | 'text' | 'date' | 'number' | 'option' | 'parent';

interface FieldHandler {
  /** Name used in messages (`project`, `Story Points`). */
  display: string;
  kind: Kind;
  /** For constants: the resolver of names/ids to ids. */
  constants?: { id: string; names: string[] }[];
  /** For constants, ordered comparisons (priority). */
  rank?: (id: string) => number;
  get: (issue: Issue) => unknown;
  /** Whether IS EMPTY is meaningful. */
  emptiable: boolean;
  def?: FieldDefinition;
}

function handlerFor(ref: FieldRef, ctx: CompileContext): FieldHandler {
  const s = ctx.state;
  const name = ref.customId !== undefined ? `customfield_${ref.customId}` : ref.name;
  const lower = name.toLowerCase();
  switch (lower) {
    case 'project':
      return { display: 'project', kind: 'project', get: (i) => i.fields.project, emptiable: false };
    case 'key':
    case 'issuekey':
    case 'id':
    case 'issue':
      return { display: 'key', kind: 'issuekey', get: (i) => i.id, emptiable: false };
    case 'issuetype':
    case 'type':
      return {
        display: 'issuetype',
        kind: 'constant',
        emptiable: false,
        get: (i) => i.fields.issuetype,
        constants: [...s.issueTypes.values()].map((t) => ({ id: t.id, names: [t.name] })),
      };
    case 'status':
      return {
        display: 'status',
        kind: 'constant',
        emptiable: false,
        get: (i) => i.fields.status,
        constants: [...s.statuses.values()].map((t) => ({ id: t.id, names: [t.name] })),
      };
    case 'statuscategory':
      return {
        display: 'statusCategory',
        kind: 'constant',
        emptiable: false,
        get: (i) => s.status(i.fields.status).category,
        constants: [
          { id: 'new', names: ['To Do', 'new', '2'] },
          { id: 'indeterminate', names: ['In Progress', 'indeterminate', '4'] },
          { id: 'done', names: ['Done', 'done', '3'] },
        ],
      };
    case 'priority':
      return {
        display: 'priority',
        kind: 'constant',
        emptiable: true,
        get: (i) => i.fields.priority,
        constants: s.priorities.map((p) => ({ id: p.id, names: [p.name] })),
        rank: (id) => s.priorities.length - s.priorities.findIndex((p) => p.id === id),
      };
    case 'resolution':
      return {
        display: 'resolution',
        kind: 'constant',
        emptiable: true,
        get: (i) => i.fields.resolution,
        constants: s.resolutions.map((r) => ({ id: r.id, names: [r.name] })),
      };
    case 'assignee':
      return { display: 'assignee', kind: 'user', emptiable: true, get: (i) => i.fields.assignee };
    case 'reporter':
      return { display: 'reporter', kind: 'user', emptiable: true, get: (i) => i.fields.reporter };
    case 'creator':
      return { display: 'creator', kind: 'user', emptiable: false, get: (i) => i.fields.creator };
    case 'labels':
      return { display: 'labels', kind: 'labels', emptiable: true, get: (i) => i.fields.labels };
    case 'component':
      return { display: 'component', kind: 'component', emptiable: true, get: (i) => i.fields.components };
    case 'parent':
      return { display: 'parent', kind: 'parent', emptiable: false, get: (i) => i.fields.parent };
    case 'summary':
      return { display: 'summary', kind: 'text', emptiable: false, get: (i) => i.fields.summary };
    case 'description':
      return { display: 'description', kind: 'text', emptiable: true, get: (i) => i.fields.description };
    case 'environment':
      return { display: 'environment', kind: 'text', emptiable: true, get: (i) => i.fields.environment };
    case 'comment':
      return { display: 'comment', kind: 'text', emptiable: true, get: (i) => (i.comments.length ? i.comments.map((c) => c.body).join('\n') : null) };
    case 'text':
      return {
        display: 'text',
        kind: 'text',
        emptiable: false,
        get: (i) => [i.fields.summary, i.fields.description ?? '', i.fields.environment ?? '', ...i.comments.map((c) => c.body)].join('\n'),
      };
    case 'created':
    case 'createddate':
      return { display: 'created', kind: 'date', emptiable: false, get: (i) => i.created };
    case 'updated':
    case 'updateddate':
      return { display: 'updated', kind: 'date', emptiable: false, get: (i) => i.updated };
    case 'resolved':
    case 'resolutiondate':
      return { display: 'resolved', kind: 'date', emptiable: true, get: (i) => i.fields.resolutiondate };
    case 'due':
    case 'duedate':
      return { display: 'due', kind: 'date', emptiable: true, get: (i) => dayStart(i.fields.duedate, ctx.user.timeZone) };
    default:
      break;
  }
  const def = s.fields.get(name) ?? [...s.fields.values()].find((f) => f.custom && f.name.toLowerCase() === lower);
  if (def?.custom) {
    const get = (i: Issue) => i.fields.custom.get(def.id) ?? null;
    switch (def.kind) {
      case 'select':
      case 'multiselect':
        return { display: def.name, kind: 'option', emptiable: true, get, def };
      case 'number':
        return { display: def.name, kind: 'number', emptiable: true, get, def };
      case 'date':
        return { display: def.name, kind: 'date', emptiable: true, get: (i) => dayStart(get(i) as string | null, ctx.user.timeZone), def };
      case 'datetime':
        return { display: def.name, kind: 'date', emptiable: true, get, def };
      case 'userpicker':
        return { display: def.name, kind: 'user', emptiable: true, get, def };
      case 'labels':
        return { display: def.name, kind: 'labels', emptiable: true, get: (i) => (get(i) as string[] | null) ?? [], def };
      default:
        return { display: def.name, kind: 'text', emptiable: true, get, def };
    }
  }
  throw new JqlError(`Field '${ref.name}' does not exist or you do not have permission to view it.`);
}

function dayStart(date: string | null, zone: string): number | null {
  if (date === null) return null;
  const [y, m, d] = date.split('-').map(Number);
  return zonedToUtc(zone, y!, m!, d!);
}

const OPERATORS: Record<Kind, JqlOperator[]> = {
  project: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  issuekey: ['=', '!=', 'in', 'not in', '<', '<=', '>', '>='],
  constant: ['=', '!=', 'in', 'not in', 'is', 'is not', '<', '<=', '>', '>='],
  user: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  labels: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  component: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  parent: ['=', '!=', 'in', 'not in'],
  text: ['~', '!~', 'is', 'is not'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is', 'is not'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is', 'is not'],
  option: ['=', '!=', 'in', 'not in', 'is', 'is not'],
};

const opText = (op: JqlOperator) => op.toUpperCase();

/** Compiles the WHERE part into a predicate, validating fields, operators and values as Jira does. */
export function compileWhere(expr: JqlExpr | undefined, ctx: CompileContext): Predicate {
  if (!expr) return () => true;
  switch (expr.kind) {
    case 'and': {
      const l = compileWhere(expr.left, ctx);
      const r = compileWhere(expr.right, ctx);
      return (i) => l(i) && r(i);
    }
    case 'or': {
      const l = compileWhere(expr.left, ctx);
      const r = compileWhere(expr.right, ctx);
      return (i) => l(i) || r(i);
    }
    case 'not': {
      const e = compileWhere(expr.expr, ctx);
      return (i) => !e(i);
    }
    case 'clause':
      return compileClause(expr.field, expr.op, expr.operand, ctx);
  }
}

function compileClause(ref: FieldRef, op: JqlOperator, operand: Operand, ctx: CompileContext): Predicate {
  const h = handlerFor(ref, ctx);
  if (!OPERATORS[h.kind].includes(op) || (h.kind === 'constant' && ['<', '<=', '>', '>='].includes(op) && !h.rank)) {
    throw new JqlError(`The operator '${opText(op)}' is not supported by the '${h.display}' field.`);
  }
  if (op === 'is' || op === 'is not') {
    if (operand.kind !== 'empty')
      throw new JqlError(`The operator '${opText(op)}' only supports searching for 'EMPTY' values or 'NULL' for the field '${h.display}'.`);
    if (!h.emptiable) return () => op === 'is not';
    const empty = (i: Issue) => {
      const v = h.get(i);
      return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
    };
    return op === 'is' ? empty : (i) => !empty(i);
  }
  if (operand.kind === 'empty') {
    if (op === '=' || op === '!=') return compileClause(ref, op === '=' ? 'is' : 'is not', operand, ctx);
  }
  if (h.kind === 'text') return textClause(h, op, operand);
  if (h.kind === 'date') return dateClause(h, op, operand, ctx);

  const items = operand.kind === 'list' ? operand.items : [operand];
  const matchers = items.map((item) => valueMatcher(h, item, ctx));
  const any = (i: Issue) => matchers.some((m) => m(i));
  switch (op) {
    case '=':
    case 'in':
      return any;
    case '!=':
    case 'not in':
      return (i) => {
        // Jira: != and NOT IN never match issues where the field is empty.
        const v = h.get(i);
        if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return false;
        return !any(i);
      };
    default:
      return orderedClause(h, op, items[0]!, ctx);
  }
}

function unknownValue(ctx: CompileContext, h: FieldHandler, value: string): () => boolean {
  const message =
    h.kind === 'issuekey'
      ? `An issue with key '${value}' does not exist for field '${h.display}'.`
      : `The value '${value}' does not exist for the field '${h.display}'.`;
  if (ctx.validate) throw new JqlError(message);
  ctx.warnings.push(message);
  return () => false;
}

function resolveUser(ctx: CompileContext, value: string): User | undefined {
  return ctx.state.userByName(value) ?? ctx.state.userByKey(value) ?? [...ctx.state.users.values()].find((u) => u.key.toLowerCase() === value.toLowerCase());
}

function valueMatcher(h: FieldHandler, o: Operand, ctx: CompileContext): Predicate {
  const s = ctx.state;
  if (o.kind === 'empty') {
    return (i) => {
      const v = h.get(i);
      return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
    };
  }
  if (o.kind === 'list') throw new JqlError(`Nested lists are not supported for the field '${h.display}'.`);
  if (o.kind === 'function') return functionMatcher(h, o, ctx);
  const value = o.value;
  switch (h.kind) {
    case 'project': {
      const p = s.projectByIdOrKey(value) ?? [...s.projects.values()].find((x) => x.name.toLowerCase() === value.toLowerCase());
      if (!p || !s.canBrowse(ctx.user, p)) return unknownValue(ctx, h, value);
      return (i) => i.fields.project === p.id;
    }
    case 'issuekey': {
      const issue = s.issueByIdOrKey(value);
      if (!issue || !s.canBrowse(ctx.user, s.projects.get(issue.fields.project)!)) {
        if (!/^([A-Z][A-Z0-9_]*-\d+|\d+)$/i.test(value)) throw new JqlError(`The issue key '${value}' for field '${h.display}' is invalid.`);
        return unknownValue(ctx, h, value);
      }
      return (i) => i.id === issue.id;
    }
    case 'constant': {
      const c = h.constants!.find((x) => x.id === value || x.names.some((n) => n.toLowerCase() === value.toLowerCase()));
      if (!c) {
        if (h.display === 'resolution' && value.toLowerCase() === 'unresolved') return (i) => h.get(i) === null;
        return unknownValue(ctx, h, value);
      }
      return (i) => h.get(i) === c.id;
    }
    case 'user': {
      const u = resolveUser(ctx, value);
      if (!u) return unknownValue(ctx, h, value);
      return (i) => h.get(i) === u.key;
    }
    case 'labels':
      return (i) => (h.get(i) as string[]).includes(value);
    case 'component': {
      const ids = [...s.projects.values()]
        .flatMap((p) => p.components)
        .filter((c) => c.id === value || c.name.toLowerCase() === value.toLowerCase())
        .map((c) => c.id);
      if (!ids.length) return unknownValue(ctx, h, value);
      return (i) => (h.get(i) as string[]).some((id) => ids.includes(id));
    }
    case 'parent': {
      const parent = s.issueByIdOrKey(value);
      if (!parent) return unknownValue(ctx, h, value);
      return (i) => i.fields.parent === parent.id;
    }
    case 'option': {
      const opt = h.def!.options?.find((x) => x.id === value || x.value.toLowerCase() === value.toLowerCase());
      if (!opt) return unknownValue(ctx, h, value);
      return (i) => {
        const v = h.get(i);
        return Array.isArray(v) ? v.includes(opt.id) : v === opt.id;
      };
    }
    case 'number': {
      const n = Number(value);
      if (Number.isNaN(n)) throw new JqlError(`The value '${value}' is not a valid number for field '${h.display}'.`);
      return (i) => h.get(i) === n;
    }
    default:
      throw new JqlError(`The operator is not supported by the '${h.display}' field.`);
  }
}

function functionMatcher(h: FieldHandler, o: Extract<Operand, { kind: 'function' }>, ctx: CompileContext): Predicate {
  const fn = o.name.toLowerCase();
  if (fn === 'currentuser' && h.kind === 'user') return (i) => h.get(i) === ctx.user.key;
  if (fn === 'membersof' && h.kind === 'user') {
    const group = o.args[0] ?? '';
    if (!ctx.state.groups.has(group)) return unknownValue(ctx, { ...h, display: 'membersOf' }, group);
    return (i) => {
      const k = h.get(i) as string | null;
      return k !== null && (ctx.state.userByKey(k)?.groups.includes(group) ?? false);
    };
  }
  throw new JqlError(`Unable to find JQL function '${o.name}(${o.args.join(', ')})'.`);
}

function orderedClause(h: FieldHandler, op: JqlOperator, o: Operand, ctx: CompileContext): Predicate {
  const cmp = (a: number, b: number) => (op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b);
  if (o.kind !== 'value') throw new JqlError(`The operator '${opText(op)}' does not support the value for field '${h.display}'.`);
  if (h.kind === 'issuekey') {
    const ref = ctx.state.issueByIdOrKey(o.value);
    if (!ref) return unknownValue(ctx, h, o.value);
    return (i) => i.fields.project === ref.fields.project && cmp(i.number, ref.number);
  }
  if (h.kind === 'constant' && h.rank) {
    const c = h.constants!.find((x) => x.id === o.value || x.names.some((n) => n.toLowerCase() === o.value.toLowerCase()));
    if (!c) return unknownValue(ctx, h, o.value);
    const r = h.rank(c.id);
    return (i) => {
      const v = h.get(i) as string | null;
      return v !== null && cmp(h.rank!(v), r);
    };
  }
  const n = Number(o.value);
  if (Number.isNaN(n)) throw new JqlError(`The value '${o.value}' is not a valid number for field '${h.display}'.`);
  return (i) => {
    const v = h.get(i);
    return typeof v === 'number' && cmp(v, n);
  };
}

function dateRange(h: FieldHandler, o: Operand, ctx: CompileContext): DateRange {
  const zone = ctx.user.timeZone;
  if (o.kind === 'function') {
    if (!DATE_FUNCTIONS.includes(o.name.toLowerCase())) throw new JqlError(`Unable to find JQL function '${o.name}(${o.args.join(', ')})'.`);
    const r = evaluateDateFunction(o.name, o.args, zone, ctx.now);
    if (!r) throw new JqlError(`The function '${o.name}' has an invalid argument '${o.args[0]}'.`);
    return r;
  }
  if (o.kind !== 'value') throw new JqlError(`Date value for field '${h.display}' is invalid.`);
  const r = parseDateLiteral(o.value, o.quoted, zone, ctx.now);
  if (!r) {
    throw new JqlError(
      `Date value '${o.value}' for field '${h.display}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
    );
  }
  return r;
}

function dateClause(h: FieldHandler, op: JqlOperator, operand: Operand, ctx: CompileContext): Predicate {
  const value = (i: Issue) => h.get(i) as number | null;
  if (op === 'in' || op === 'not in') {
    const items = operand.kind === 'list' ? operand.items : [operand];
    const ranges = items.map((o) => dateRange(h, o, ctx));
    const inAny = (v: number) => ranges.some((r) => v >= r.start && v < r.end);
    return (i) => {
      const v = value(i);
      return v !== null && (op === 'in' ? inAny(v) : !inAny(v));
    };
  }
  const r = dateRange(h, operand, ctx);
  switch (op) {
    case '=':
      return (i) => {
        const v = value(i);
        return v !== null && v >= r.start && v < r.end;
      };
    case '!=':
      return (i) => {
        const v = value(i);
        return v !== null && (v < r.start || v >= r.end);
      };
    case '>':
      return (i) => {
        const v = value(i);
        return v !== null && v > r.start;
      };
    case '>=':
      return (i) => {
        const v = value(i);
        return v !== null && v >= r.start;
      };
    case '<':
      return (i) => {
        const v = value(i);
        return v !== null && v < r.start;
      };
    case '<=':
      return (i) => {
        const v = value(i);
        return v !== null && v <= r.start;
      };
    default:
      throw new JqlError(`The operator '${opText(op)}' is not supported by the '${h.display}' field.`);
  }
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** `~`: every term must occur as a word; `term*` matches a word prefix; a leading wildcard is refused. */
function textClause(h: FieldHandler, op: JqlOperator, operand: Operand): Predicate {
  if (operand.kind !== 'value') throw new JqlError(`The operator '${opText(op)}' is not supported by the '${h.display}' field for this value.`);
  const raw = operand.value.trim();
  if (/^[*?]/.test(raw)) throw new JqlError(`The text query '${raw}' for field '${h.display}' is not allowed to start with a wildcard.`);
  const terms = raw
    .toLowerCase()
    .split(/\s+/)
    .map((t) => t.replace(/^"|"$/g, ''))
    .filter(Boolean)
    .map((t) => {
      const prefix = t.endsWith('*');
      const core = words(prefix ? t.slice(0, -1) : t);
      return { core, prefix };
    })
    .filter((t) => t.core.length > 0);
  if (!terms.length) throw new JqlError(`The field '${h.display}' does not support searching for an empty string.`);
  const contains = (text: string | null) => {
    if (text === null || text === undefined) return false;
    const ws = words(String(text));
    return terms.every((t) => t.core.every((c, idx) => ws.some((w) => (t.prefix && idx === t.core.length - 1 ? w.startsWith(c) : w === c))));
  };
  return op === '~' ? (i) => contains(h.get(i) as string | null) : (i) => !contains(h.get(i) as string | null);
}

/** `ORDER BY`: a comparator over issues. Empty values sort last when ascending. */
export function compileOrderBy(orderBy: OrderBy[], ctx: CompileContext): (a: Issue, b: Issue) => number {
  const keys = orderBy.map((o) => {
    const h = handlerFor(o.field, ctx);
    const dir = o.direction ?? (h.kind === 'date' ? 'desc' : 'asc');
    let get: (i: Issue) => number | string | null;
    switch (h.kind) {
      case 'issuekey':
        get = (i) => `${ctx.state.projects.get(i.fields.project)!.key}-${String(i.number).padStart(12, '0')}`;
        break;
      case 'project':
        get = (i) => ctx.state.projects.get(i.fields.project)!.key;
        break;
      case 'constant':
        get = h.rank
          ? (i) => {
              const v = h.get(i) as string | null;
              return v === null ? null : h.rank!(v);
            }
          : (i) => {
              const v = h.get(i) as string | null;
              return v === null ? null : (h.constants!.find((c) => c.id === v)?.names[0] ?? v);
            };
        break;
      case 'user':
        get = (i) => {
          const k = h.get(i) as string | null;
          return k === null ? null : (ctx.state.userByKey(k)?.displayName ?? k);
        };
        break;
      case 'date':
      case 'number':
        get = (i) => h.get(i) as number | null;
        break;
      default:
        get = (i) => {
          const v = h.get(i);
          return v === null || v === undefined ? null : Array.isArray(v) ? v.join(',') : String(v);
        };
    }
    return { get, dir };
  });
  return (a, b) => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      let c = 0;
      if (x === y) c = 0;
      else if (x === null) c = 1;
      else if (y === null) c = -1;
      else c = x < y ? -1 : 1;
      if (c !== 0) return k.dir === 'asc' ? c : -c;
    }
    return 0;
  };
}

export function compileQuery(q: JqlQuery, ctx: CompileContext): { where: Predicate; order: (a: Issue, b: Issue) => number } {
  const where = compileWhere(q.where, ctx);
  // Without ORDER BY, Jira sorts newest first; clients must not rely on it.
  const order = q.orderBy.length ? compileOrderBy(q.orderBy, ctx) : (a: Issue, b: Issue) => Number(b.id) - Number(a.id);
  return { where, order };
}
