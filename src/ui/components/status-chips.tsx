import type { Instance } from '../api.ts';

/** An instance's state at a glance: usable or not, and whether it sends events. */
export function StatusChips({ instance }: { instance: Pick<Instance, 'disabled' | 'valid' | 'eventsEnabled'> }) {
  const state = instance.disabled ? 'disabled' : instance.valid ? 'valid' : 'invalid';
  return (
    <span className="chips">
      <span className={`badge ${state}`}>{state}</span>
      {instance.eventsEnabled && <span className="badge events">events</span>}
    </span>
  );
}
