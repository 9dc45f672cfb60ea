import type { ReactNode } from 'react';

/** Preformatted text in a box that scrolls when it is long (answers, payloads, traces). */
export function ScrollBox({ children, className, testId }: { children: ReactNode; className?: string; testId?: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must take the focus, or a keyboard cannot scroll it (axe: scrollable-region-focusable)
    <pre className={className} tabIndex={0} data-testid={testId}>
      {children}
    </pre>
  );
}
