import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from '../../src/platform/metric-series.ts';

const buckets = [0.001, 0.01, 0.1, 1];
const labelNames = ['method', 'route'] as const;
type Labels = { method: string; route: string };
// Label values the text format must escape, a value on a bucket's bound, one past every bound.
const routes: Labels[] = [
  { method: 'GET', route: '/hubs/:hub/incidents/:id' },
  { method: 'POST', route: 'a "quoted" \\ back\nslash' },
];
const observations = [0.0005, 0.001, 0.0011, 0.01, 0.5, 1, 7, 0];

/** prom-client's own metrics and the series ones, in two registries, fed the same. */
function pair() {
  const own = new Registry();
  const ours = new Registry();
  const config = (registry: Registry) => ({ name: 'x_requests_total', help: 'Requests', labelNames, registers: [registry] });
  const hconfig = (registry: Registry) => ({ name: 'x_duration_seconds', help: 'Durations', labelNames, buckets, registers: [registry] });
  const counter = new Counter(config(own));
  const histogram = new Histogram(hconfig(own));
  const seriesCounter = new SeriesCounter(config(ours));
  const seriesHistogram = new SeriesHistogram(hconfig(ours));
  const series = routes.map((labels) => ({ labels, count: seriesCounter.series(labels), time: seriesHistogram.series(labels) }));
  const feed = (values: number[]) => {
    for (const s of series) {
      for (const v of values) {
        counter.inc(s.labels);
        s.count.inc();
        histogram.observe(s.labels, v);
        s.time.observe(v);
      }
    }
  };
  return { own, ours, feed, series };
}

describe('series counters and histograms', () => {
  it("export exactly what prom-client's own counter and histogram export for the same observations", async () => {
    const { own, ours, feed } = pair();
    expect(await ours.metrics()).toBe(await own.metrics());
    feed(observations);
    const first = await own.metrics();
    expect(first).toContain('x_duration_seconds_bucket{le="+Inf",method="GET",route="/hubs/:hub/incidents/:id"} 8');
    expect(await ours.metrics()).toBe(first);
    // Counts taken between two scrapes are added once, not again at the next scrape.
    feed([0.02, 3]);
    const second = await own.metrics();
    expect(await ours.metrics()).toBe(second);
    expect(await ours.metrics()).toBe(second);
  });

  it('export a label set only once it has counted, as prom-client does', async () => {
    const { own, ours, series } = pair();
    series[0]!.count.inc(2);
    const text = await ours.metrics();
    expect(text).toContain('x_requests_total{method="GET",route="/hubs/:hub/incidents/:id"} 2');
    expect(text).not.toContain('method="POST"');
    expect(text).not.toContain('x_duration_seconds_count');
    expect(await own.metrics()).not.toContain('x_duration_seconds_count');
  });

  it('start again from zero after a reset of the registry', async () => {
    const { own, ours, feed } = pair();
    feed(observations);
    own.resetMetrics();
    ours.resetMetrics();
    feed([0.05]);
    expect(await ours.metrics()).toBe(await own.metrics());
  });

  it('give the same series for the same label values, so no label set is exported twice', async () => {
    const { own, ours, series } = pair();
    const [first] = series;
    const counter = ours.getSingleMetric('x_requests_total') as SeriesCounter<'method' | 'route'>;
    const histogram = ours.getSingleMetric('x_duration_seconds') as unknown as SeriesHistogram<'method' | 'route'>;
    // Asked again, with the keys in another order: the series already taken.
    const again = { route: first!.labels.route, method: first!.labels.method };
    expect(counter.series(again)).toBe(first!.count);
    expect(histogram.series(again)).toBe(first!.time);
    for (const v of observations) {
      (own.getSingleMetric('x_requests_total') as Counter).inc(first!.labels);
      (own.getSingleMetric('x_duration_seconds') as Histogram).observe(first!.labels, v);
      counter.series(again).inc();
      histogram.series(again).observe(v);
    }
    expect(await ours.metrics()).toBe(await own.metrics());
  });
});
