import type { OutboundHttp } from '../platform/outbound-http.ts';
import { type TracedCall, tracedHttp } from '../platform/traced-http.ts';
import type { Clock } from '../platform/clock.ts';
import type { TraceRepository } from './trace-repository.ts';
import { traceRow } from './trace-row.ts';

/** Who a provisioning trace belongs to; `instanceId` 0 when no instance was created. */
export interface ProvisioningOwner {
  organizationId: number;
  accountId: number;
  instanceId: number;
}

/**
 * The vendor calls that check a new instance, kept when its configuration asks for `debug`
 * (open-connectors-api.md §2.2): stored under `id` (the create call's request id) whether the
 * vendor accepted the instance or not, for `GET /elements/{key}/trace/{traceId}`. Written at once,
 * not in a batch, so that the trace can be read as soon as the answer with its id arrives.
 */
export class ProvisioningTrace {
  readonly #calls: TracedCall[] = [];
  #saved = false;

  constructor(
    readonly id: string,
    private readonly repo: TraceRepository,
    private readonly clock: Clock,
  ) {}

  /** `http` with its calls recorded, `secrets` redacted. */
  http(http: OutboundHttp, secrets: readonly string[]): OutboundHttp {
    return tracedHttp(http, (call) => this.#calls.push(call), secrets);
  }

  /** Whether calls were recorded and stored: only then does the trace exist. */
  get saved(): boolean {
    return this.#saved;
  }

  async save(owner: ProvisioningOwner): Promise<void> {
    if (this.#calls.length === 0 || this.#saved) return;
    const at = this.clock.now();
    const who = { id: owner.instanceId, organizationId: owner.organizationId, accountId: owner.accountId };
    await this.repo.insert(this.#calls.map((call) => traceRow(who, this.id, call, at)));
    this.#saved = true;
  }
}
