import { useState } from 'react';

/** A secret, hidden until revealed, with a copy button. */
export function Secret({ label, value, id }: { label: string; value: string; id: string }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret">
      <span className="secret-label" id={`${id}-label`}>
        {label}
      </span>
      <code data-testid={id}>{shown ? value : '•'.repeat(24)}</code>
      <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown} aria-describedby={`${id}-label`}>
        {shown ? 'Hide' : 'Reveal'}
      </button>
      <button
        type="button"
        aria-describedby={`${id}-label`}
        onClick={() => {
          void navigator.clipboard?.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
