import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { DispatcherView, type HandlerWrapper, WatchingDispatcher } from './dispatcher-view.ts';
import { ForwardingHandler } from './forwarding-handler.ts';
import type { DispatcherOptions, OutboundHttp } from './outbound-http.ts';

/** Called once per finished vendor call: its HTTP status (or `error` when none came) and duration. */
export type CallRecorder = (status: number | 'error', seconds: number) => void;

/** A second recorder for the calls of one request (its usage record), carried in the dispatch options. */
const REQUEST_RECORDER = Symbol('request call recorder');
type ObservedOptions = Dispatcher.DispatchOptions & { [REQUEST_RECORDER]?: CallRecorder };

/**
 * Reports the call's status and duration when its answer ends or fails. A class rather than
 * closures: one is made for every vendor call.
 */
class RecordingHandler extends ForwardingHandler {
  readonly #started = performance.now();
  #status: number | undefined;

  constructor(
    handler: Dispatcher.DispatchHandler,
    private readonly record: CallRecorder,
    private readonly forRequest: CallRecorder | undefined,
  ) {
    super(handler);
  }

  #done(): void {
    const seconds = (performance.now() - this.#started) / 1000;
    const status = this.#status ?? 'error';
    this.record(status, seconds);
    this.forRequest?.(status, seconds);
  }

  override onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.#status = statusCode;
    super.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#done();
    super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#done();
    super.onResponseError(controller, error);
  }
}

/**
 * A view of `http` whose dispatchers report every call to `record`: the pools stay `http`'s, and
 * the watching dispatcher is made once per pool, not per call.
 */
export function observedHttp(http: OutboundHttp, record: CallRecorder): OutboundHttp {
  const views = new WeakMap<Dispatcher, Dispatcher>();
  const wrap: HandlerWrapper = (opts, handler) => new RecordingHandler(handler, record, (opts as ObservedOptions)[REQUEST_RECORDER]);
  return {
    answerLimit: http.answerLimit,
    dispatcher(options?: DispatcherOptions) {
      const base = http.dispatcher(options);
      let d = views.get(base);
      if (!d) {
        d = new WatchingDispatcher(base, wrap);
        views.set(base, d);
      }
      return d;
    },
    // The pools belong to `http`, which its owner closes once.
    close: async () => undefined,
  };
}

/** Passes each call on with the request's recorder in its dispatch options, where `RecordingHandler` finds it. */
class RequestRecorderView extends DispatcherView {
  constructor(
    private readonly base: Dispatcher,
    private readonly forRequest: CallRecorder,
  ) {
    super();
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // The recorder first: a literal that spreads and then adds a key is built in V8's slow path
    // (~1 µs), and undici's Request reads such options several times slower. A call carries one
    // recorder: one that a view nearer the caller set already is kept.
    return this.base.dispatch({ [REQUEST_RECORDER]: this.forRequest, ...opts } as ObservedOptions, handler);
  }
}

/**
 * A view of an observed `http` (see `observedHttp`) that also reports the calls made through it
 * to `forRequest`: the calls of one request, for its usage record. Cheap enough to make per
 * request: it adds the recorder to each call's dispatch options, which the observing handler reads.
 * A class, not an object of closures, as one is made for every hub call.
 */
class RequestRecordedHttp implements OutboundHttp {
  readonly answerLimit: number;

  constructor(
    private readonly http: OutboundHttp,
    private readonly forRequest: CallRecorder,
  ) {
    this.answerLimit = http.answerLimit;
  }

  dispatcher(options?: DispatcherOptions): Dispatcher {
    return new RequestRecorderView(this.http.dispatcher(options), this.forRequest);
  }

  /** The pools belong to `http`, whose owner closes them once. */
  async close(): Promise<void> {}
}

export function withRequestRecorder(http: OutboundHttp, forRequest: CallRecorder): OutboundHttp {
  return new RequestRecordedHttp(http, forRequest);
}
