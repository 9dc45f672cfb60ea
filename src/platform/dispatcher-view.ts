import { Dispatcher } from 'undici';

/**
 * A dispatcher standing in front of another one, whose pools it uses: closing or destroying it
 * closes nothing, as the pools' owner closes them once. It is a `Dispatcher`, so undici's
 * `request()` and `stream()` work through it as through the one behind it.
 */
export abstract class DispatcherView extends Dispatcher {
  abstract override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (callback) queueMicrotask(callback);
    else return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback;
    if (done) queueMicrotask(done);
    else return Promise.resolve();
  }
}

/** Wraps the handler of one call (in a `ForwardingHandler` that watches it). */
export type HandlerWrapper = (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => Dispatcher.DispatchHandler;

/**
 * A view that passes every call on with its handler first wrapped by `wrap`: how calls are
 * counted and traced.
 *
 * `base.compose` builds the dispatch function because it also turns a handler of undici's older
 * API (the one undici's own `request()` passes) into one of the current API, the only one a
 * `ForwardingHandler` speaks: a download through a view that wrapped such a handler as it came
 * never got its answer. Only that function is kept, not the Proxy of `base` that `compose`
 * returns.
 */
export class WatchingDispatcher extends DispatcherView {
  readonly #dispatch: Dispatcher['dispatch'];

  constructor(base: Dispatcher, wrap: HandlerWrapper) {
    super();
    this.#dispatch = base.compose((dispatch) => (opts, handler) => dispatch(opts, wrap(opts, handler as Dispatcher.DispatchHandler))).dispatch;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#dispatch(opts, handler);
  }
}
