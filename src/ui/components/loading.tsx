/** A page whose data has not come: the error that stopped it, or a loading line. */
export function Loading({ error }: { error: string | undefined }) {
  return (
    <section>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : (
        <p>Loading…</p>
      )}
    </section>
  );
}
