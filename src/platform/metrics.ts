import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './metric-series.ts';
import type { OutboundHttp } from './outbound-http.ts';
import { observedHttp } from './observed-http.ts';

/** A labelled series made once per key and then kept: keys are bounded (route templates, statuses). */
export function seriesByKey<K, V>(make: (key: K) => V): (key: K) => V {
  const series = new Map<K, V>();
  return (key) => {
    let s = series.get(key);
    if (s === undefined) {
      s = make(key);
      series.set(key, s);
    }
    return s;
  };
}

export interface MetricSources {
  /** Log lines dropped so far because the reader of the output fell behind. */
  droppedLogLines: () => number;
  /** Jobs by name and status, read from the store when the metrics are scraped. */
  queueDepth: () => Promise<{ name: string; status: string; count: number }[]>;
  /** Rows written in batches after the call (usage records, vendor traces), by what they are. */
  recordWriters: () => { what: string; waiting: number; failedWrites: number }[];
}

/**
 * The process's Prometheus metrics (`GET /metrics`), in a registry of its own: two apps in one
 * process (tests) never share or double-register a metric.
 */
export class Metrics {
  readonly registry = new Registry();
  // Counted on every request: series taken once per label set (metric-series.ts).
  readonly httpRequests = new SeriesCounter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new SeriesHistogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time from the request to its answer, by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'switchboard_event_deliveries_total',
    help: 'Notification delivery attempts, by outcome: delivered, retrying, queued (until redelivered), failed (for good)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly notificationDeliveries = new Counter({
    name: 'switchboard_notification_deliveries_total',
    help: 'Platform notification delivery attempts, by outcome: delivered, retrying, queued (until redelivered), failed (for good)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookRemovals = new Counter({
    name: 'switchboard_vendor_webhook_removals_total',
    help: 'Attempts at removing the vendor webhook of an instance deleted or whose events were turned off, by outcome: removed, deferred (the worker tries again), left (given up: remove it in the vendor by hand)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly vendorCalls = new SeriesCounter({
    name: 'switchboard_vendor_calls_total',
    help: 'Calls to vendors, by element and HTTP status (error: no answer)',
    labelNames: ['element', 'status'] as const,
    registers: [this.registry],
  });
  readonly vendorDuration = new SeriesHistogram({
    name: 'switchboard_vendor_call_duration_seconds',
    help: 'Time from a vendor call to the end of its answer, by element',
    labelNames: ['element'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'switchboard_jobs_total',
    help: 'Job runs of this process, by job name and outcome: completed, retried, failed (for good)',
    labelNames: ['name', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly responseCache = new SeriesCounter({
    name: 'switchboard_hub_response_cache_total',
    help: 'Hub reads of instances with cachingEnabled, answered from the cache (hit) or from the vendor (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly hubCache = new SeriesCounter({
    name: 'switchboard_hub_session_cache_total',
    help: 'Hub calls whose Authorization header was resolved from the session cache (hit) or the store (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /**
   * The outbound HTTP an element's calls go through, counting them under its key; one view per
   * element, made on first use.
   */
  vendorHttp(http: OutboundHttp): (elementKey: string) => OutboundHttp {
    const views = new Map<string, OutboundHttp>();
    return (element) => {
      let view = views.get(element);
      if (!view) {
        const calls = seriesByKey((status: number | 'error') => this.vendorCalls.series({ element, status }));
        const duration = this.vendorDuration.series({ element });
        view = observedHttp(http, (status, seconds) => {
          calls(status).inc();
          duration.observe(seconds);
        });
        views.set(element, view);
      }
      return view;
    };
  }

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    new Gauge({
      name: 'switchboard_jobs',
      help: 'Jobs in the queue (shared by every node), by job name and status: queued, active, failed',
      labelNames: ['name', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await sources.queueDepth()) this.set({ name: row.name, status: row.status }, row.count);
      },
    });
    // Two views of the same writers, by what they write: rows waiting now, and failed writes.
    const writerGauges = [
      [
        'switchboard_records_waiting',
        'Usage records and vendor traces of this process waiting to be written (they wait while the database cannot write)',
        'waiting',
      ],
      [
        'switchboard_record_writes_failed_total',
        'Batch writes of usage records and vendor traces that failed (kept to be written again while the database cannot serve, else lost and logged)',
        'failedWrites',
      ],
    ] as const;
    for (const [name, help, field] of writerGauges)
      new Gauge({
        name,
        help,
        labelNames: ['what'] as const,
        registers: [this.registry],
        collect() {
          for (const w of sources.recordWriters()) this.set({ what: w.what }, w[field]);
        },
      });
    new Gauge({
      name: 'switchboard_log_lines_dropped_total',
      help: 'Log lines dropped because the reader of the process output fell behind',
      registers: [this.registry],
      collect() {
        this.set(sources.droppedLogLines());
      },
    });
  }
}
