import { useEffect } from 'react';

/** Names the browser tab (and the history entry) after the page the user is on. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · switchboard`;
  }, [title]);
}
