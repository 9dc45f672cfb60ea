/**
 * A Delete button that asks `confirmation` first and does nothing unless confirmed: what it
 * deletes (an account, a job, a subscription, …) cannot be had back.
 */
export function DeleteButton(props: { label: string; confirmation: string; remove: () => unknown }) {
  const { label, confirmation, remove } = props;
  return (
    <button type="button" className="danger" aria-label={label} onClick={() => window.confirm(confirmation) && remove()}>
      Delete
    </button>
  );
}
