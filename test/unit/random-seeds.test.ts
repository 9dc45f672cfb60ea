import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { wholeNumberFromEnv } from '../helpers/env-number.ts';

const root = resolve(import.meta.dirname, '../..');
const scripts = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The variables a script sets before its command, as `sh` (which npm runs scripts with) sets them. */
function variablesOf(script: string, env: Record<string, string> = {}): Record<string, string> {
  const command = script.indexOf(' vitest ');
  const assignments = script.slice(0, command);
  const out = execFileSync('/bin/sh', ['-c', `${assignments} node -p 'JSON.stringify(process.env)'`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  const all = JSON.parse(out) as Record<string, string>;
  const names = [...assignments.matchAll(/(?:^|\s)([A-Z_]+)=/g)].map((m) => m[1]!);
  return Object.fromEntries(names.map((name) => [name, all[name]!]));
}

describe('scripts that try new random inputs', () => {
  const seeded = Object.entries(scripts).filter(([, script]) => /(?:^|\s)[A-Z_]+_SEED=/.test(script));

  it('are the property tests and the fuzz suite on each store', () => {
    expect(seeded.map(([name]) => name).sort()).toEqual(['fuzz', 'fuzz:postgres', 'properties']);
  });

  // `$RANDOM` is bash's: under sh it is empty, and every "random" run used seed 0.
  it.each(seeded)('%s picks a new whole-number seed each run under sh, and keeps one that is given', (_, script) => {
    const first = variablesOf(script);
    const second = variablesOf(script);
    const seedName = Object.keys(first).find((name) => name.endsWith('_SEED'))!;
    for (const value of [...Object.values(first), ...Object.values(second)]) expect(value).toMatch(/^\d+$/);
    expect(first[seedName]).not.toBe(second[seedName]);
    expect(variablesOf(script, { [seedName]: '42' })[seedName]).toBe('42');
  });
});

describe('wholeNumberFromEnv', () => {
  const name = 'SWITCHBOARD_TEST_WHOLE_NUMBER';
  afterEach(() => {
    delete process.env[name];
  });

  it('reads a whole number, and falls back where the variable is unset', () => {
    expect(wholeNumberFromEnv(name, 7)).toBe(7);
    process.env[name] = '1234567';
    expect(wholeNumberFromEnv(name, 7)).toBe(1234567);
  });

  it.each(['', ' ', '-1', '1.5', 'abc', '1e3', '9'.repeat(16)])('refuses %j instead of reading it as a number', (value) => {
    process.env[name] = value;
    expect(() => wholeNumberFromEnv(name, 7)).toThrow(`${name} must be a whole number`);
  });
});
