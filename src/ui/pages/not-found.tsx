import { useTitle } from '../components/page-title.ts';

/** A console address that names no page. */
export function NotFound({ path }: { path: string }) {
  useTitle('Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>.
      </p>
      <p>
        Go to <a href="#/instances">your instances</a> or <a href="#/catalog">the connectors</a>.
      </p>
    </section>
  );
}
