import { useState } from 'react';
import { CopyButton } from './copy-button.tsx';

/** A secret, hidden until revealed, with a copy button. */
export function Secret({ label, value, id }: { label: string; value: string; id: string }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="secret">
      <span className="secret-label" id={`${id}-label`}>
        {label}
      </span>
      <code data-testid={id}>{shown ? value : '•'.repeat(24)}</code>
      <button
        type="button"
        className="secondary"
        onClick={() => setShown(!shown)}
        aria-pressed={shown}
        aria-label={`${shown ? 'Hide' : 'Reveal'} the ${label.toLowerCase()}`}
      >
        {shown ? 'Hide' : 'Reveal'}
      </button>
      <CopyButton text={value} name={`Copy the ${label.toLowerCase()}`} />
    </div>
  );
}
