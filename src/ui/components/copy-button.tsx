import { useState } from 'react';

/**
 * Copies `text`, through the Clipboard API where the page may use it and otherwise through a
 * selected hidden field (plain HTTP on a host name has no `navigator.clipboard`), and says
 * "Copied" only when the copy worked.
 */
async function copy(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, no focus): the fallback may still work.
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.append(field);
  field.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    field.remove();
  }
}

/** `name`: the button's accessible name where the visible label repeats on the page ("Copy the user secret"). */
export function CopyButton({ text, label = 'Copy', name }: { text: string; label?: string; name?: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed'>();
  return (
    <button
      type="button"
      className="secondary"
      aria-label={outcome ? undefined : name}
      onClick={() =>
        void copy(text).then((ok) => {
          setOutcome(ok ? 'copied' : 'failed');
          setTimeout(() => setOutcome(undefined), 2000);
        })
      }
    >
      {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed: select the text' : label}
    </button>
  );
}
