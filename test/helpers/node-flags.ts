import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The node flags before `bin/switchboard.js` in a command line, or undefined when it does not start it that way. */
export function nodeFlagsOf(command: string): string[] | undefined {
  const words = command.trim().split(/\s+/);
  const node = words.indexOf('node');
  const bin = words.indexOf('bin/switchboard.js');
  return node === -1 || bin <= node ? undefined : words.slice(node + 1, bin);
}

/**
 * The node flags `npm start` runs switchboard with (package.json's start script), so that tests
 * and benchmarks start the process users run.
 */
export function switchboardNodeFlags(): string[] {
  const start = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts.start as string;
  const flags = nodeFlagsOf(start);
  if (!flags) throw new Error(`package.json's start script does not run node bin/switchboard.js: ${start}`);
  return flags;
}
