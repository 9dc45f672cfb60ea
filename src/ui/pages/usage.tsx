import { useEffect, useState } from 'react';
import { ScrollBox } from '../components/scroll-box.tsx';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { api, describeError, type AnalyticsItem, type Instance, type LatencyItem, type Trace, type Usage, type UsageWithTraces } from '../api.ts';
import { UsageChart, type UsagePoint } from '../components/usage-chart.tsx';

const RANGES = {
  '1h': { label: 'Last hour', ms: 3600_000, interval: 'hour' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, interval: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, interval: 'day' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, interval: 'day' },
} as const;
type Range = keyof typeof RANGES;

/**
 * The chart's points: one per period of the range (hours or UTC days, as the analytics count
 * them), with the calls by outcome and the p95 of that period; periods without calls are zeros.
 */
function pointsOf(statuses: AnalyticsItem[], latency: LatencyItem[], fromMs: number, toMs: number, interval: 'hour' | 'day'): UsagePoint[] {
  const step = interval === 'hour' ? 3600_000 : 86_400_000;
  const byTime = new Map<number, UsagePoint>();
  for (let t = Math.floor(fromMs / step) * step; t < toMs; t += step) byTime.set(t, { time: t / 1000, success: 0, failed: 0, p95: null });
  const at = (timestamp: string) => {
    const t = Date.parse(timestamp);
    let p = byTime.get(t);
    if (!p) {
      p = { time: t / 1000, success: 0, failed: 0, p95: null };
      byTime.set(t, p);
    }
    return p;
  };
  for (const s of statuses) at(s.timestamp)[s.status === 'failed' ? 'failed' : 'success'] += s.count;
  for (const l of latency) at(l.timestamp).p95 = l.p95;
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/**
 * Usage: calls over time by outcome with their p95 process time, and the latest calls, each with
 * the traces of its vendor calls when the instance had trace logging on. `instanceId` (from the
 * URL, `#/usage/{id}`) preselects an instance.
 */
export function UsagePage({ instanceId }: { instanceId?: string }) {
  useTitle(instanceId ? `Usage of instance ${instanceId}` : 'Usage');
  const [instances, setInstances] = useState<Instance[]>([]);
  const [instance, setInstance] = useState(instanceId ?? '');
  const [range, setRange] = useState<Range>('24h');
  const [points, setPoints] = useState<UsagePoint[]>();
  const [calls, setCalls] = useState<Usage[]>([]);
  const [error, setError] = useState<string>();
  // The end of the time range: Refresh moves it to the present.
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    api<Instance[]>('GET', '/instances?hydrate=false').then(
      (r) => setInstances(r.body),
      () => setInstances([]),
    );
  }, []);
  useEffect(() => {
    const { ms, interval } = RANGES[range];
    const from = now - ms;
    const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(now + 1000).toISOString() });
    if (instance) q.set('instanceId', instance);
    setError(undefined);
    let current = true;
    Promise.all([
      api<AnalyticsItem[]>('GET', `/usage/analytics/statuses?${q}&interval=${interval}`),
      api<LatencyItem[]>('GET', `/usage/analytics/latency?${q}&interval=${interval}`),
      api<Usage[]>('GET', `/usage?${q}&pageSize=50`),
    ]).then(
      ([statuses, latency, latest]) => {
        if (!current) return;
        setPoints(pointsOf(statuses.body, latency.body, from, now, interval));
        setCalls(latest.body);
      },
      (e) => current && setError(describeError(e)),
    );
    return () => {
      current = false;
    };
  }, [instance, range, now]);

  const total = (points ?? []).reduce((n, p) => n + p.success + p.failed, 0);
  const failed = (points ?? []).reduce((n, p) => n + p.failed, 0);
  return (
    <section>
      <h1>Usage</h1>
      <div className="filters">
        <div>
          <label htmlFor="usage-instance">Instance</label>
          <select
            id="usage-instance"
            value={instance}
            onChange={(e) => {
              setInstance(e.target.value);
              setNow(Date.now());
            }}
          >
            <option value="">All instances and platform calls</option>
            {instances.map((i) => (
              <option key={i.id} value={String(i.id)}>
                {i.name} (id {i.id})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="usage-range">Time range</label>
          <select
            id="usage-range"
            value={range}
            onChange={(e) => {
              setRange(e.target.value as Range);
              setNow(Date.now());
            }}
          >
            {Object.entries(RANGES).map(([k, r]) => (
              <option key={k} value={k}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => setNow(Date.now())}>
          Refresh
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {points && (
        <>
          <p data-testid="usage-summary">
            {total} calls, {failed} failed
          </p>
          {total > 0 ? (
            <UsageChart points={points} label={`Calls per ${RANGES[range].interval} by outcome, with the 95th percentile of their time`} />
          ) : (
            <p className="muted">No calls in this range.</p>
          )}
        </>
      )}
      <h2>Latest calls</h2>
      {calls.length === 0 ? (
        <p className="muted">No calls yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Call</th>
              <th scope="col">Status</th>
              <th scope="col">Time taken</th>
              <th scope="col">Vendor calls</th>
              <th scope="col">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <CallRow key={c.traffic_id} call={c} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CallRow({ call }: { call: Usage }) {
  const [open, setOpen] = useState(false);
  const [traces, setTraces] = useState<Trace[]>();
  const [error, setError] = useState<string>();
  const toggle = () => {
    setOpen(!open);
    if (!open && traces === undefined) {
      api<UsageWithTraces>('GET', `/usage/${call.traffic_id}`).then(
        (r) => setTraces(r.body.traces),
        (e) => setError(describeError(e)),
      );
    }
  };
  return (
    <>
      <tr>
        <td>
          <When iso={call.traffic_date} />
        </td>
        <td className="wrap">
          <code>
            {call.element_api.split(' ')[0]} {call.request_uri}
          </code>
        </td>
        <td>
          <span className={`badge ${call.request_status === 'success' ? 'valid' : 'invalid'}`}>{call.http_status}</span>
        </td>
        <td>{call.process_time.toFixed(1)} ms</td>
        <td>{call.vendor_calls}</td>
        <td>
          <button
            type="button"
            className="secondary"
            aria-expanded={open}
            aria-label={`${open ? 'Hide traces' : 'Traces'} of call ${call.request_id}`}
            onClick={toggle}
          >
            {open ? 'Hide traces' : 'Traces'}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6} data-testid="call-traces">
            {error && <p className="error">{error}</p>}
            {traces === undefined && !error && <p>Loading…</p>}
            {traces?.length === 0 && <p className="muted">No traces: trace logging was off for this call, or it made no vendor call.</p>}
            {traces?.map((t) => (
              <TraceView key={t.id} trace={t} />
            ))}
          </td>
        </tr>
      )}
    </>
  );
}

function TraceView({ trace }: { trace: Trace }) {
  const headers = (h: Record<string, string>) =>
    Object.entries(h)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
  return (
    <details className="trace">
      <summary>
        <code className="wrap">
          {trace.method} {trace.url}
        </code>{' '}
        → {trace.status ?? trace.error} in {trace.duration.toFixed(1)} ms
      </summary>
      <h3>Request</h3>
      <ScrollBox>{headers(trace.request.headers)}</ScrollBox>
      {trace.request.body !== null && <ScrollBox>{trace.request.body}</ScrollBox>}
      <h3>Response</h3>
      {trace.response ? (
        <>
          <ScrollBox>{headers(trace.response.headers)}</ScrollBox>
          {trace.response.body !== null && <ScrollBox>{trace.response.body}</ScrollBox>}
        </>
      ) : (
        <p>No answer: {trace.error}</p>
      )}
    </details>
  );
}
