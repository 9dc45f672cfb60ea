/**
 * Event pipeline benchmarks (issue #6), in one process with the Jira emulator and a local
 * receiver on loopback:
 *  1. webhook in → notification out: a Jira-shaped webhook POSTed to the intake URL until the
 *     callback receives the notification (target: median < 50 ms);
 *  2. delivery throughput: a burst of notifications until all are received, against a baseline of
 *     the same POSTs sent straight to the receiver at the same concurrency (target ≥ 500/s);
 *  3. polling at scale: N instances (default 1,000) polled once each, as every minute; reports
 *     wall time, CPU and memory (keeping up means one round well under 60 s).
 *
 * Run: npm run bench:events [-- --burst 2000 --instances 1000]
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';
import { startJiraEmulator } from '../emulators/jira-server/index.ts';
import { median, numberArg, percentile } from './args.ts';
import { startInProcess } from './in-process.ts';

const burst = numberArg('burst', 2000);
const pollers = numberArg('instances', 1000);

let received = 0;
const waiters: { n: number; resolve: () => void }[] = [];
const arrivals = new Map<string, number>();
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received++;
    const id = JSON.parse(body).message?.events?.[0]?.objectId;
    if (id) arrivals.set(String(id), performance.now());
    res.end('ok');
    for (const w of waiters.filter((x) => received >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const callback = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
const until = (n: number) => new Promise<void>((resolve) => (received >= n ? resolve() : waiters.push({ n, resolve })));

const jira = await startJiraEmulator({ seedIssues: 200 });
const sb = await startInProcess({ SWITCHBOARD_EVENT_TICK_MS: '1000' });
const { api, auth, services, store } = sb;
await services.worker.start();
const agent = new Agent({ connections: 64 });

async function instance(name: string, events: Record<string, unknown>): Promise<{ id: number }> {
  const res = await request(`${api}/instances`, {
    method: 'POST',
    dispatcher: agent,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      element: { key: 'jiraonprem' },
      name,
      configuration: {
        username: 'admin',
        password: 'admin',
        siteAddress: jira.baseUrl,
        'event.notification.enabled': true,
        'event.notification.callback.url': callback,
        'event.notification.signature.key': 'k',
        ...events,
      },
    }),
  });
  const body = (await res.body.json()) as { id: number };
  if (res.statusCode !== 200) throw new Error(JSON.stringify(body));
  return body;
}

// 1. Webhook in → notification out.
const hooked = await instance('bench-webhook', { 'event.vendor.type': 'webhook' });
const status = (await (await request(`${api}/instances/${hooked.id}/events/status`, { dispatcher: agent, headers: { authorization: auth } })).body.json()) as {
  webhookUrl: string;
};
const latencies: number[] = [];
for (let i = 0; i < 300; i++) {
  const objectId = `lat-${i}`;
  const start = performance.now();
  const before = received;
  const body = JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue: { id: objectId, self: `${jira.baseUrl}/rest/api/2/issue/${objectId}`, fields: { updated: String(i) } },
  });
  const res = await request(status.webhookUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body });
  await res.body.dump();
  await until(before + 1);
  latencies.push(arrivals.get(objectId)! - start);
}
console.log(
  `webhook in → notification out: median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms (target < 50 ms; ${store.dialect} store)`,
);

// 2. Delivery throughput, with a baseline of the same POSTs sent directly.
const directStart = performance.now();
const base = received;
await Promise.all(
  Array.from({ length: burst }, (_, i) =>
    request(callback, { method: 'POST', dispatcher: agent, body: JSON.stringify({ message: { events: [{ objectId: `d-${i}` }] } }) }).then((r) =>
      r.body.dump(),
    ),
  ),
);
await until(base + burst);
const directRate = burst / ((performance.now() - directStart) / 1000);
const full = await services.instances.get(
  await services.tenancy.identityOf(await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow()),
  hooked.id,
);
const startBurst = performance.now();
const before = received;
for (let i = 0; i < burst; i += 100) {
  const events = Array.from({ length: Math.min(100, burst - i) }, (_, k) => ({
    eventType: 'UPDATED' as const,
    objectType: 'incidents',
    objectId: `b-${i + k}`,
    date: new Date().toISOString(),
    version: 'v',
  }));
  // One event per notification: record batches of 20 would pack them, so record them one by one in parallel groups.
  await Promise.all(events.map((e) => services.events.record(full, 'webhook', [e], () => ({}))));
}
await until(before + burst);
const rate = burst / ((performance.now() - startBurst) / 1000);
console.log(
  `delivery: ${burst} notifications in ${((performance.now() - startBurst) / 1000).toFixed(1)} s → ${rate.toFixed(0)}/s (target ≥ 500/s); direct POSTs to the same receiver ${directRate.toFixed(0)}/s → ratio ${(rate / directRate).toFixed(2)}`,
);

// 3. Polling at scale.
const ids: number[] = [];
for (let i = 0; i < pollers; i += 50) {
  ids.push(
    ...(
      await Promise.all(
        Array.from({ length: Math.min(50, pollers - i) }, (_, k) =>
          instance(`poller-${i + k}`, { 'event.vendor.type': 'polling', 'event.poller.refresh_interval': '1' }),
        ),
      )
    ).map((x) => x.id),
  );
}
for (const id of ids) await services.worker.poll(id);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const rss0 = process.memoryUsage().rss;
for (let i = 0; i < ids.length; i += 20) await Promise.all(ids.slice(i, i + 20).map((id) => services.worker.poll(id)));
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const failed = await store.db.selectFrom('event_sources').select('last_error').where('last_error', 'is not', null).execute();
const searches = jira.emulator.requestCounter;
if (failed.length) throw new Error(`${failed.length} polls failed: ${failed[0]!.last_error}`);
console.log(
  `polling: ${searches} Jira requests served in total; ${ids.length} instances polled once in ${wall.toFixed(1)} s (each minute's round needs < 60 s), CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (switchboard and emulator in one process), RSS ${(rss0 / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);

await sb.close();
await jira.close();
receiver.close();
await agent.close();
