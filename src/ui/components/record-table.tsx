/** A value's member at a dotted path (`fields.status.name`), or undefined. */
function at(value: unknown, path: string): unknown {
  let node = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Table columns for helpdesk records, each by the paths the connected vendors' record shapes use. */
const COLUMNS = [
  { label: 'Key', paths: ['key', 'id'] },
  { label: 'Summary', paths: ['fields.summary', 'subject', 'summary', 'name', 'notes', 'body'] },
  { label: 'Status', paths: ['fields.status.name', 'status.name', 'status'] },
  { label: 'Assignee', paths: ['fields.assignee.displayName', 'assigned_to.name', 'assignee'] },
  { label: 'Updated', paths: ['fields.updated', 'updated_on', 'updated', 'updatedDate'] },
];

const cell = (row: unknown, paths: readonly string[]) => {
  for (const p of paths) {
    const v = at(row, p);
    if (v !== undefined && v !== null && typeof v !== 'object') return String(v);
  }
  return undefined;
};

/** Whether an answer can be shown as a table: a list of objects with at least one known column. */
export function tableColumns(value: unknown) {
  if (!Array.isArray(value) || value.length === 0 || !value.every((r) => r !== null && typeof r === 'object')) return [];
  return COLUMNS.filter((c) => value.some((r) => cell(r, c.paths) !== undefined));
}

/** A list of records as a table of the columns it has. */
export function RecordTable({ rows, caption }: { rows: unknown[]; caption: string }) {
  const columns = tableColumns(rows);
  return (
    <div className="table-scroll">
      <table className="list" data-testid="explorer-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are shown as answered and never reordered
            <tr key={i}>
              {columns.map((c) => (
                <td key={c.label} data-label={c.label} className="wrap">
                  {cell(r, c.paths) ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
