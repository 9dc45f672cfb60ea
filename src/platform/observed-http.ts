import type { Dispatcher } from 'undici';
import type { DispatcherOptions, OutboundHttp } from './outbound-http.ts';

/** Called once per finished vendor call: its HTTP status (or `error` when none came) and duration. */
export type CallRecorder = (status: number | 'error', seconds: number) => void;

/**
 * An undici interceptor that reports each call's status and duration when its answer ends or
 * fails, passing every handler step on unchanged.
 */
function recording(record: CallRecorder): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const started = performance.now();
    let status: number | undefined;
    const done = () => record(status ?? 'error', (performance.now() - started) / 1000);
    const h = handler as Dispatcher.DispatchHandler;
    return dispatch(opts, {
      onRequestStart: (controller, context) => h.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => h.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => {
        status = statusCode;
        return h.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => h.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => {
        done();
        return h.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => {
        done();
        return h.onResponseError?.(controller, error);
      },
    });
  };
}

/**
 * A view of `http` whose dispatchers report every call to `record`. The composed dispatcher is
 * made once per underlying pool, not per call.
 */
export function observedHttp(http: OutboundHttp, record: CallRecorder): OutboundHttp {
  const composed = new WeakMap<Dispatcher, Dispatcher>();
  const interceptor = recording(record);
  return {
    answerLimit: http.answerLimit,
    dispatcher(options?: DispatcherOptions) {
      const base = http.dispatcher(options);
      let d = composed.get(base);
      if (!d) {
        d = base.compose(interceptor);
        composed.set(base, d);
      }
      return d;
    },
    // The pools belong to `http`, which its owner closes once.
    close: async () => undefined,
  };
}
