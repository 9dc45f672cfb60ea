import type { ReactNode } from 'react';

/** What a page's last action came to: its error as an alert, or what it did as a status. */
export function ActionMessages({ error, notice }: { error: string | undefined; notice: string | undefined }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
    </>
  );
}

/** A form whose submit runs `onSubmit` in the page instead of loading another. */
export function ActionForm({ onSubmit, children }: { onSubmit: () => unknown; children: ReactNode }) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}
