/**
 * A whole number from the environment (a seed, a count of runs), or `fallback` where the variable
 * is unset. Any other value is refused rather than read: `Number('')` is 0, and a seed the shell
 * failed to make (`$RANDOM` is bash's, and npm runs scripts with `sh`) would silently repeat the
 * same inputs on every run that was meant to try new ones.
 */
export function wholeNumberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  if (!/^\d{1,15}$/.test(text)) throw new Error(`${name} must be a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}
