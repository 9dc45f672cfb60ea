import { hash } from 'node:crypto';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { OutboundPolicy } from './outbound-policy.ts';

export interface DispatcherOptions {
  /** PEM of extra certificate authorities to trust (a vendor server with a private certificate). */
  ca?: string | undefined;
}

/**
 * Where outbound HTTP connections come from. One keep-alive pool per distinct TLS setting, so
 * every instance of one vendor server shares warm connections; tests inject a MockAgent instead.
 */
export interface OutboundHttp {
  dispatcher(options?: DispatcherOptions): Dispatcher;
  /** Largest vendor answer read into memory, in bytes: a misbehaving server must not exhaust it. */
  readonly answerLimit: number;
  close(): Promise<void>;
}

export interface OutboundHttpOptions {
  connectTimeoutMs: number;
  /** Connections per origin; bounds how hard one vendor server can be hit. */
  connectionsPerOrigin: number;
  answerLimit: number;
  /** Checked on every new connection, with the address it resolves to (outbound-policy.ts). */
  policy: OutboundPolicy;
}

export function createOutboundHttp(options: OutboundHttpOptions): OutboundHttp {
  const agents = new Map<string, Agent>();
  return {
    answerLimit: options.answerLimit,
    dispatcher({ ca } = {}) {
      const key = ca ? hash('sha256', ca, 'hex') : '';
      let agent = agents.get(key);
      if (!agent) {
        const connectChecked = buildConnector({ timeout: options.connectTimeoutMs, ...(ca && { ca }) });
        agent = new Agent({
          // The host name is resolved here, checked against the policy, and the address checked
          // is the one connected to; TLS still verifies the certificate against the name.
          connect: (opts, callback) => {
            const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
            options.policy.resolve(opts.hostname, port).then(
              (address) => connectChecked({ ...opts, hostname: address }, callback),
              (err: Error) => callback(err, null),
            );
          },
          connections: options.connectionsPerOrigin,
          keepAliveTimeout: 30_000,
        });
        agents.set(key, agent);
      }
      return agent;
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()));
      agents.clear();
    },
  };
}
