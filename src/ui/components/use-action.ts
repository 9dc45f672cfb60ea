import { useCallback, useState } from 'react';
import { describeError } from '../api.ts';

/**
 * A page's error and notice; `act`, which runs one of the page's actions: it clears both, runs
 * the action, shows what it returns as the notice (or its error, told with `vendor`'s name when
 * the vendor said something), then reloads the page's data with `reload`; and `load`, which runs
 * a load of the page's data and shows what it throws as the error.
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
  const load = useCallback(
    async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (e) {
        setError(describeError(e, vendor));
      }
    },
    [vendor],
  );
  return { error, setError, notice, act, load };
}
