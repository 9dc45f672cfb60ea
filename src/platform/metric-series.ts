import { Counter, type LabelValues, type Metric, type Registry } from 'prom-client';

/**
 * Counters and histograms for the request path, where prom-client would hash and validate the
 * label values on every `inc()` and `observe()`, even on a child from `.labels()`, and a
 * histogram observation also allocates. Here the caller takes a series once per label set and
 * keeps it; counting is then an addition to a plain number. The numbers reach Prometheus when
 * the registry is scraped, in prom-client's own text format.
 */

/** One exported sample, as prom-client's registry formats it. */
interface Sample {
  metricName: string;
  labels: LabelValues<string>;
  value: number;
}

interface Config<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

/**
 * The series of each label set, made on first request: asking twice for the same labels gives
 * the same series, so the exported text never holds one label set twice, and a caller that asks
 * again (rather than keeping its series) adds nothing. The key is built only when a series is
 * asked for, not when it counts.
 */
class SeriesTable<S extends { labels: LabelValues<string> }> {
  readonly #byKey = new Map<string, S>();

  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: (labels: LabelValues<string>) => S,
  ) {}

  get(labels: LabelValues<string>): S {
    const key = JSON.stringify(this.labelNames.map((n) => String(labels[n] ?? '')));
    let series = this.#byKey.get(key);
    if (!series) {
      series = this.make({ ...labels });
      this.#byKey.set(key, series);
    }
    return series;
  }

  values(): IterableIterator<S> {
    return this.#byKey.values();
  }
}

/** One label set of a `SeriesCounter`: what it counted since the last scrape. */
export class CounterSeries {
  pending = 0;
  constructor(readonly labels: LabelValues<string>) {}
  inc(by = 1): void {
    this.pending += by;
  }
}

/**
 * A prom-client counter whose series count in plain numbers, added to it when it is collected
 * (each scrape collects before it reads). A series that has counted nothing is not exported,
 * as prom-client exports a label set only once it was incremented.
 */
export class SeriesCounter<L extends string> extends Counter<L> {
  readonly #series: SeriesTable<CounterSeries>;

  constructor(config: Config<L>) {
    super({
      ...config,
      // Called with the counter being collected, which is this one.
      collect() {
        (this as SeriesCounter<L>).#collect();
      },
    });
    this.#series = new SeriesTable(config.labelNames, (labels) => new CounterSeries(labels));
  }

  /** The series of these label values; take it once and keep it. */
  series(labels: LabelValues<L>): CounterSeries {
    return this.#series.get(labels);
  }

  override reset(): void {
    // prom-client's constructor resets too, before this class's fields exist.
    if (#series in this) for (const s of this.#series.values()) s.pending = 0;
    super.reset();
  }

  #collect(): void {
    for (const s of this.#series.values()) {
      if (s.pending === 0) continue;
      this.inc(s.labels as LabelValues<L>, s.pending);
      s.pending = 0;
    }
  }
}

/** One label set of a `SeriesHistogram`. */
export class HistogramSeries {
  sum = 0;
  count = 0;
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  readonly counts: number[];
  constructor(
    readonly labels: LabelValues<string>,
    private readonly upperBounds: readonly number[],
  ) {
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    // Not a measurement: dropped, where prom-client would throw on the request path.
    if (!Number.isFinite(value)) return;
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/**
 * A histogram registered as a metric of its own (prom-client has no call that adds bucket counts
 * in bulk). It exports what prom-client's `Histogram` exports for the same observations:
 * cumulative `_bucket` series with `le`, `+Inf`, `_sum` and `_count`.
 */
export class SeriesHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #upperBounds: readonly number[];
  readonly #series: SeriesTable<HistogramSeries>;

  constructor(config: Config<L> & { buckets: readonly number[] }) {
    this.name = config.name;
    this.help = config.help;
    this.#upperBounds = [...config.buckets].sort((a, b) => a - b);
    this.#series = new SeriesTable(config.labelNames, (labels) => new HistogramSeries(labels, this.#upperBounds));
    // The registry's metric type lists prom-client's own classes; it reads only name, help,
    // type, aggregator and `get()`, which this class provides.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values; take it once and keep it. */
  series(labels: LabelValues<L>): HistogramSeries {
    return this.#series.get(labels);
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.#series.values()) {
      if (s.count === 0) continue;
      let cumulative = 0;
      this.#upperBounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: bucket, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: bucket, labels: { le: '+Inf', ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.#series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
