/**
 * `work`, or the error `late()` makes once `ms` have passed without its outcome. The work itself
 * goes on (nothing here can stop it) and its outcome, once it comes, is dropped: a caller whose
 * work must not go on passes it a signal of its own.
 */
export function withinTimeLimit<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}
