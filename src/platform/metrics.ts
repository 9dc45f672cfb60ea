import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricSources {
  /** Log lines dropped so far because the reader of the output fell behind. */
  droppedLogLines: () => number;
}

/**
 * The process's Prometheus metrics (`GET /metrics`), in a registry of its own: two apps in one
 * process (tests) never share or double-register a metric.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests answered, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'Time from the request to its answer, by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'switchboard_event_deliveries_total',
    help: 'Notification delivery attempts, by outcome: delivered, retrying, failed (for good)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly hubCache = new Counter({
    name: 'switchboard_hub_session_cache_total',
    help: 'Hub calls whose Authorization header was resolved from the session cache (hit) or the store (miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
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
