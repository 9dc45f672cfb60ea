import type { ReactNode } from 'react';

/** One column of a `ListTable`: its header, and each row's cell. */
export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** `wrap` for long text: URLs, messages. */
  className?: string;
}

/** A list as a table, a row per item, or the `empty` sentence when there is none. */
export function ListTable<T>({
  rows,
  columns,
  rowKey,
  empty,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string | number;
  empty: string;
}) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header}>{c.header}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) => (
              <td key={c.header} className={c.className}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
