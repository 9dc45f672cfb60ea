/**
 * `GET /instances?pageSize=50` in an organization with 20,000 instances (target: under 50 ms at
 * the median), against the same call in an organization with 50, measured in the same run: the
 * list is filtered, counted and paged by the database and only the page is decrypted, so the
 * ratio should stay near 1 however many instances an organization has.
 *
 * Run: npm run bench:instances-list [-- --instances 20000 --n 200] (SQLite; DATABASE_URL for PostgreSQL)
 */
import { Agent, request } from 'undici';
import { median, numberArg, percentile } from './args.ts';
import { startInProcess } from './in-process.ts';

const total = numberArg('instances', 20_000);
const n = numberArg('n', 200);

const sb = await startInProcess({ SWITCHBOARD_ROLE: 'api' });
const { api, auth, services, store } = sb;
const agent = new Agent({ keepAliveTimeout: 30_000 });

/** Instances written through the repository (encrypted as usual), without asking a Jira. */
async function fill(organizationId: number, accountId: number, userId: number, count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    await services.instanceRepo.insert(
      {
        organizationId,
        accountId,
        userId,
        elementKey: 'jiraonprem',
        name: `bench-${i}`,
        tags: [i % 2 ? 'odd' : 'even'],
        token: `bench-token-${organizationId}-${i}`,
        configuration: { username: 'u', password: 'p', siteAddress: 'http://jira.invalid' },
        vendorMeta: {},
        eventsEnabled: false,
        externalAuthentication: 'none',
        providerData: undefined,
      },
      now,
    );
    if ((i + 1) % 5000 === 0) process.stdout.write(`  ${i + 1} instances written\n`);
  }
}

const identityOf = async (authorization: string) => {
  const [, user, org] = /User (\S+), Organization (\S+)/.exec(authorization)!;
  return services.tenancy.authenticate({ user: user!.replace(/,$/, ''), organization: org });
};
const big = await identityOf(auth);
const other = await services.tenancy.createOrganization({ name: 'Small', adminEmail: 'small@bench.example' });
const smallAuth = `User ${other.userSecret}, Organization ${other.organizationSecret}`;

console.log(`writing ${total} instances (${store.dialect}) …`);
await fill(big.organizationId, big.user.accountId, big.user.id, total);
await fill(other.organization.id, other.account.id, other.user.id, 50);

async function time(authorization: string, path: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const t = performance.now();
    const res = await request(`${api}${path}`, { dispatcher: agent, headers: { authorization } });
    const body = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${body.slice(0, 200)}`);
    if (i >= 10) samples.push(performance.now() - t);
  }
  return samples;
}

const small = await time(smallAuth, '/instances?pageSize=50');
const first = await time(auth, '/instances?pageSize=50');
const deep = await time(auth, `/instances?pageSize=50&page=${Math.floor(total / 100)}`);
const filtered = await time(auth, `/instances?pageSize=50&tags[]=odd&where=${encodeURIComponent("name LIKE 'bench-1%'")}`);
const line = (label: string, s: number[]) => `${label.padEnd(44)} median ${median(s).toFixed(1)} ms, p95 ${percentile(s, 0.95).toFixed(1)} ms`;
console.log(line('50 instances, first page of 50 (baseline)', small));
console.log(line(`${total} instances, first page of 50`, first));
console.log(line(`${total} instances, page in the middle`, deep));
console.log(line(`${total} instances, tags[] + where LIKE`, filtered));
console.log(
  `ratio to the baseline: first page ${(median(first) / median(small)).toFixed(2)}, middle ${(median(deep) / median(small)).toFixed(2)}, filtered ${(median(filtered) / median(small)).toFixed(2)} (target: median under 50 ms)`,
);
await agent.close();
await sb.close();
