import { useState } from 'react';
import { describeError } from '../api.ts';

/**
 * A page's error and notice, and `act`, which runs one of the page's actions: it clears both,
 * runs the action, shows what it returns as the notice (or its error, told with `vendor`'s name
 * when the vendor said something), then reloads the page's data with `reload`.
 */
export function useAction(vendor?: string) {
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const act = async (work: () => Promise<string>, reload: () => Promise<void>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await work());
      await reload();
    } catch (e) {
      setError(describeError(e, vendor));
    }
  };
  return { error, setError, notice, act };
}
