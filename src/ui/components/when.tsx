/** A date as the API gave it, shown in the reader's zone with that zone named; the exact ISO time on hover. */
export function When({ iso }: { iso: string | undefined | null }) {
  if (!iso) return <span className="muted">—</span>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <span>{iso}</span>;
  // (dateStyle and timeStyle cannot be combined with timeZoneName: the fields are named one by one.)
  const shown = date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {shown}
    </time>
  );
}
