import { JiraState } from './state/state.ts';
import { seed } from './state/seed.ts';
import { Domain } from './state/domain.ts';
import { defaultConfig, type EmulatorConfig } from './config.ts';
import { DEFAULT_VERSION, profileFor } from './profiles.ts';
import { Serializer } from './serialize/beans.ts';
import { Sessions } from './auth.ts';
import { Faults, RateLimiter } from './guards.ts';
import { RequestLog } from './request-log.ts';
import { WebhookDispatcher } from './webhooks.ts';

export interface EmulatorOptions {
  version?: string;
  contextPath?: string;
  /** Instance time zone (datetimes in JSON). */
  timeZone?: string;
  seedIssues?: number;
  /** Fixed start time of the emulator clock (epoch ms); default: real time. */
  now?: number;
}

/** A settable clock: real time plus an offset, or frozen at a set instant. */
export class EmulatorClock {
  #offset = 0;
  #frozen: number | undefined;
  now(): number {
    return this.#frozen ?? Date.now() + this.#offset;
  }
  set(ms: number, freeze: boolean): void {
    if (freeze) {
      this.#frozen = ms;
      return;
    }
    this.#frozen = undefined;
    this.#offset = ms - Date.now();
  }
  advance(ms: number): void {
    if (this.#frozen !== undefined) this.#frozen += ms;
    else this.#offset += ms;
  }
}

/** The emulated Jira: state, configuration and the services routes use. */
export class Emulator {
  state = new JiraState();
  config: EmulatorConfig;
  readonly clock = new EmulatorClock();
  readonly sessions = new Sessions();
  readonly faults = new Faults();
  readonly requests = new RequestLog();
  readonly limiter: RateLimiter;
  domain: Domain;
  webhooks: WebhookDispatcher;
  /** `http://host:port` once listening; routes add the context path. */
  origin = 'http://localhost:2990';
  #seedIssues: number;
  requestCounter = 0;
  /** Every route the app registered (for coverage checks of the contract test). */
  readonly routes: { method: string; url: string }[] = [];

  constructor(options: EmulatorOptions = {}) {
    const profile = profileFor(options.version ?? DEFAULT_VERSION);
    this.config = defaultConfig(profile, normaliseContext(options.contextPath ?? ''), options.timeZone ?? 'UTC');
    if (options.now !== undefined) this.clock.set(options.now, false);
    this.#seedIssues = options.seedIssues ?? 120;
    this.limiter = new RateLimiter(() => this.config);
    this.domain = new Domain(this.state, () => this.clock.now());
    this.webhooks = this.#dispatcher();
    this.reset(true);
  }

  get baseUrl(): string {
    return `${this.origin}${this.config.contextPath}`;
  }

  serializer(): Serializer {
    return new Serializer(this.state, this.baseUrl, this.config.instanceZone);
  }

  #dispatcher(): WebhookDispatcher {
    const d = new WebhookDispatcher(
      this.state,
      () => this.config,
      () => this.serializer(),
      () => this.clock.now(),
    );
    this.domain.onEvent((e) => d.handle(e));
    return d;
  }

  /** Wipes the store and, unless `empty`, loads the default seed with `issues` issues. */
  reset(withSeed: boolean, issues = this.#seedIssues): void {
    this.state = new JiraState();
    this.domain = new Domain(this.state, () => this.clock.now());
    this.webhooks = this.#dispatcher();
    this.sessions.clear();
    this.faults.clear();
    this.requests.clear();
    this.limiter.clear();
    if (withSeed) seed(this.state, { issues, now: this.clock.now() });
  }
}

export function normaliseContext(path: string): string {
  if (path === '' || path === '/') return '';
  return `/${path.replace(/^\/+|\/+$/g, '')}`;
}
