import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LevelMethods = Pick<FastifyBaseLogger, (typeof LEVELS)[number]>;

// The level methods are added to the prototype below, one function each, so that a request's
// logger is a single small object rather than one closure per level.
// biome-ignore lint/correctness/noUnusedVariables: merged into the class below
interface LazyChildLogger extends LevelMethods {}

/**
 * `request.log`, made only when something logs through it. Fastify gives every request a child
 * logger bound to its request id; building a pino child (bindings serialised, redaction set up)
 * cost a measurable share of a proxied hub call, yet a request that goes well never logs through
 * it: its access line has a logger of its own (access-log.ts).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the class's static block defines the merged methods
class LazyChildLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #logger(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#logger.level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger.child(bindings, options);
  }

  static {
    for (const level of LEVELS) {
      LazyChildLogger.prototype[level] = function (this: LazyChildLogger, ...args: unknown[]) {
        const logger = this.#logger;
        (logger[level] as (...a: unknown[]) => void).apply(logger, args);
      };
    }
  }
}

/** Fastify's `childLoggerFactory`. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
