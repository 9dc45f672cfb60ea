import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';

/**
 * `engines` in package.json is what we promise; every package the lock file installs must
 * accept the oldest Node.js that promise admits, or `npm ci --engine-strict` fails there.
 */
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }>;
};

describe('declared Node.js engines', () => {
  it('every installed package accepts the oldest Node.js we declare, and the one running the tests', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.satisfies(process.version, pkg.engines.node), `running ${process.version}, declared ${pkg.engines.node}`).toBe(true);
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      // Platform-specific optional packages (another OS's binaries) are never installed here.
      if (!path || !range || entry.optional) continue;
      if (!semver.satisfies(oldest, range, { includePrerelease: true })) refusing.push(`${path}@${entry.version} needs node ${range}`);
    }
    expect(refusing).toEqual([]);
  });
});
