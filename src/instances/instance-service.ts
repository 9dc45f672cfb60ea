import type { Logger } from 'pino';
import { ApiError, badRequest, notFound } from '../platform/errors.ts';
import { newBase64Secret } from '../platform/crypto.ts';
import { isoSeconds, type Clock } from '../platform/clock.ts';
import type { OutboundHttp } from '../platform/outbound-http.ts';
import { isOrgAdmin, type Identity } from '../auth/identity.ts';
import type { ElementRegistry } from '../elements/registry.ts';
import type { InstalledElement, Configuration, VendorMeta } from '../elements/element-module.ts';
import { eventsEnabled, validatePlatformConfiguration } from '../elements/platform-configuration.ts';
import type { OutboundPolicy } from '../platform/outbound-policy.ts';
import type { Instance, InstanceChanges, InstanceFilter, InstanceRepository } from './instance-repository.ts';
import { secretKeys, secretValues } from './views.ts';
import { MASK } from '../platform/secret-names.ts';
import type { ProvisioningOwner, ProvisioningTrace } from '../traces/provisioning-trace.ts';
import { maskUrlCredentials } from '../platform/url-credentials.ts';
import { setOwn } from '../platform/own-properties.ts';
import type { CreateInstanceBody, ElementRef, UpdateInstanceBody } from './schemas.ts';
import type { AccountOrUser } from '../tenancy/tenancy-service.ts';

const MAX_CONFIGURATION_BYTES = 64 * 1024;

/** HTML tags removed, text kept: `<a href="#">my-instance</a>` → `my-instance` (§2.4). */
export function sanitiseName(raw: string): string {
  const name = raw
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (name === '') throw badRequest('name must contain text');
  if (name.length > 255) throw badRequest('name must be at most 255 characters');
  return name;
}

/** Other features that follow instances (events: polling schedules, vendor webhooks). */
export interface InstanceLifecycle {
  changed(instance: Instance): Promise<void>;
  /**
   * Before the instance's row goes. With `vendorNow`, what the vendor must undo (a webhook) is
   * asked of it at once; otherwise the worker asks, and the deletion waits for no vendor.
   */
  deleting(instance: Instance, vendorNow: boolean): Promise<void>;
}

/**
 * Instances: creating one checks the credentials against the vendor before anything is
 * stored; every read and write is scoped to what the caller may see.
 */
export class InstanceService {
  constructor(
    private readonly repo: InstanceRepository,
    private readonly registry: ElementRegistry,
    /** Outbound HTTP for one element's vendor calls (provisioning). */
    private readonly vendorHttp: (elementKey: string) => OutboundHttp,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly vendorTimeoutMs: number,
    /** Refuses an event callback URL that could never be delivered to. */
    private readonly outboundPolicy: OutboundPolicy,
    /** Called after any change to an instance, so caches of resolved tokens drop it at once, on every node. */
    private readonly changed: (instanceId: number) => Promise<void> = async () => undefined,
  ) {}

  #lifecycle: InstanceLifecycle | undefined;

  /** Set once at wiring time; events need instances and instances notify events. */
  follow(lifecycle: InstanceLifecycle): void {
    this.#lifecycle = lifecycle;
  }

  #now(): string {
    return isoSeconds(this.clock.now());
  }

  module(key: string): InstalledElement {
    const m = this.registry.module(key);
    if (!m) throw new ApiError('INTERNAL', `Element ${key} is not installed`);
    return m;
  }

  #elementOf(ref: ElementRef | undefined): InstalledElement {
    if (ref === undefined || (ref.key === undefined && ref.id === undefined))
      throw badRequest('element is required: {"key": "<element key>"} or {"id": <element id>}');
    const keyOrId = ref.key ?? String(ref.id);
    const m = this.registry.module(keyOrId);
    if (!m) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
    return m;
  }

  /** Keeps the keys the element defines; unknown keys are accepted and ignored (clients send everything they hold). */
  #known(module: InstalledElement, input: Configuration | undefined): Configuration {
    if (input === undefined) return {};
    if (JSON.stringify(input).length > MAX_CONFIGURATION_BYTES) throw badRequest(`configuration is larger than ${MAX_CONFIGURATION_BYTES} bytes`);
    const keys = new Set(module.definition.configuration.map((c) => c.key));
    return Object.fromEntries(Object.entries(input).filter(([k]) => keys.has(k)));
  }

  /** The platform's keys (events, null filtering), then the element's own. */
  #validate(module: InstalledElement, configuration: Configuration): Configuration {
    validatePlatformConfiguration(configuration, module.definition, this.outboundPolicy);
    return module.validateConfiguration(configuration);
  }

  /**
   * Checks the configuration against the vendor, then stores the instance. With `trace`, the
   * vendor calls of the check are recorded and stored whatever the vendor answered (`debug`).
   */
  async create(identity: Identity, body: CreateInstanceBody, elementFromPath?: string, trace?: ProvisioningTrace): Promise<Instance> {
    const module = elementFromPath !== undefined ? this.#elementFromPath(elementFromPath) : this.#elementOf(body.element);
    if (elementFromPath !== undefined && body.element !== undefined) {
      const other = this.#elementOf(body.element);
      if (other.definition.key !== module.definition.key)
        throw badRequest(`element in the body (${other.definition.key}) differs from the path (${module.definition.key})`);
    }
    const name = sanitiseName(body.name);
    const given = body.tags ?? [];
    // The sanitised name is added to the tags, after the given ones, as Open Connectors does.
    const tags = given.includes(name) ? given : [...given, name];
    const external = body.externalAuthentication ?? 'none';
    const configuration = this.#validate(module, this.#known(module, body.configuration));
    const http = this.vendorHttp(module.definition.key);
    const owner = { organizationId: identity.organizationId, accountId: identity.user.accountId };
    let vendorMeta: VendorMeta;
    try {
      vendorMeta = await module.provision(configuration, {
        http: trace ? trace.http(http, secretValues(module.definition, configuration)) : http,
        logger: this.logger,
        timeoutMs: this.vendorTimeoutMs,
      });
    } catch (err) {
      await this.#saveTrace(trace, { ...owner, instanceId: 0 });
      throw err;
    }
    const instance = await this.repo.insert(
      {
        organizationId: identity.organizationId,
        accountId: identity.user.accountId,
        userId: identity.user.id,
        elementKey: module.definition.key,
        name,
        tags,
        token: newBase64Secret(),
        configuration,
        providerData: body.providerData,
        vendorMeta,
        eventsEnabled: eventsEnabled(configuration),
        externalAuthentication: external,
        traceLoggingEnabled: body.traceLoggingEnabled,
        cachingEnabled: body.cachingEnabled,
        maxCacheSize: body.maxCacheSize,
        cacheTimeToLive: body.cacheTimeToLive,
      },
      this.#now(),
    );
    this.logger.info({ instanceId: instance.id, element: instance.elementKey }, 'instance created');
    await this.#saveTrace(trace, { ...owner, instanceId: instance.id });
    try {
      await this.#lifecycle?.changed(instance);
    } catch (err) {
      // The caller is told the create failed, so the instance must not stay: a retry would make a second one.
      await this.#remove(instance, true).catch((e: Error) =>
        this.logger.error({ instanceId: instance.id, err: e.message }, 'an instance whose events could not be set up was not removed'),
      );
      throw err;
    }
    return instance;
  }

  /** A trace that cannot be stored is worth a warning; the vendor's answer, or the instance, is what the caller asked for. */
  async #saveTrace(trace: ProvisioningTrace | undefined, owner: ProvisioningOwner): Promise<void> {
    await trace?.save(owner).catch((err: Error) => this.logger.warn({ err: err.message, traceId: trace.id }, 'provisioning trace not stored'));
  }

  #elementFromPath(keyOrId: string): InstalledElement {
    const m = this.registry.module(keyOrId);
    if (!m) throw notFound(`No element found with key or ID ${keyOrId.slice(0, 100)}`);
    return m;
  }

  /** Org admins see the organization's instances, others those of their own account; anything else is 404. */
  async get(identity: Identity, id: number, elementKeyOrId?: string): Promise<Instance> {
    const instance = await this.repo.find(id);
    if (!instance || !this.#visible(identity, instance)) throw notFound(`No instance found with ID ${id}`);
    if (elementKeyOrId !== undefined) {
      const m = this.#elementFromPath(elementKeyOrId);
      if (m.definition.key !== instance.elementKey) throw notFound(`No ${m.definition.key} instance found with ID ${id}`);
    }
    return instance;
  }

  #visible(identity: Identity, instance: Instance): boolean {
    return instance.organizationId === identity.organizationId && (isOrgAdmin(identity) || instance.accountId === identity.user.accountId);
  }

  /** A page of the instances the caller may see, filtered in the database (see InstanceRepository.page). */
  page(identity: Identity, filter: InstanceFilter, paging?: { startAt: number; pageSize: number }): Promise<{ items: Instance[]; total: number }> {
    return this.repo.page({ organizationId: identity.organizationId, accountId: this.#visibleAccount(identity) }, filter, paging);
  }

  /** Org admins see every account's instances; everybody else their own account's. */
  #visibleAccount(identity: Identity): number | undefined {
    return isOrgAdmin(identity) ? undefined : identity.user.accountId;
  }

  /**
   * The instance behind the `Element` token. A token only ever resolves inside the caller's own
   * organization and visible accounts; anything else is the same 401 as an unknown token (D2).
   */
  async byToken(identity: Identity): Promise<Instance> {
    if (identity.elementToken === undefined)
      throw new ApiError('UNAUTHORIZED', 'This call needs the instance token: add "Element <token>" to the Authorization header');
    const instance = await this.repo.findByToken(identity.elementToken);
    if (!instance || !this.#visible(identity, instance)) throw new ApiError('UNAUTHORIZED');
    return instance;
  }

  /** Merges a configuration change, keeping stored secrets where the client sent the mask back. */
  #mergeConfiguration(module: InstalledElement, stored: Configuration, incoming: Configuration, replace: boolean): Configuration {
    const secrets = secretKeys(module.definition);
    const next: Configuration = replace ? {} : { ...stored };
    for (const [k, v] of Object.entries(incoming)) {
      const old = stored[k];
      // A secret or a URL's user info sent back masked keeps the stored value.
      const echoed = (secrets.has(k) && v === MASK) || (typeof v === 'string' && typeof old === 'string' && v !== old && v === maskUrlCredentials(old));
      setOwn(next, k, echoed ? old : v);
    }
    if (replace) {
      // A PUT that leaves a secret out keeps it: clients often echo the masked configuration back.
      for (const k of secrets) if (next[k] === undefined && stored[k] !== undefined && incoming[k] === undefined) next[k] = stored[k];
    }
    return next;
  }

  async update(identity: Identity, id: number, body: UpdateInstanceBody, mode: 'put' | 'patch', elementKeyOrId?: string): Promise<Instance> {
    const instance = await this.get(identity, id, elementKeyOrId);
    return this.#apply(instance, body, mode);
  }

  async updateByToken(identity: Identity, body: UpdateInstanceBody, mode: 'put' | 'patch'): Promise<Instance> {
    return this.#apply(await this.byToken(identity), body, mode);
  }

  async #apply(instance: Instance, body: UpdateInstanceBody, mode: 'put' | 'patch'): Promise<Instance> {
    let module = this.module(instance.elementKey);
    const changes: InstanceChanges = {};
    if (body.element !== undefined) {
      const target = this.#elementOf(body.element);
      if (target.definition.key !== module.definition.key) {
        if (target.definition.authentication.type !== module.definition.authentication.type)
          throw badRequest('An instance can only switch to an element with the same authentication type');
        changes.elementKey = target.definition.key;
        module = target;
      }
    }
    if (body.name !== undefined || mode === 'put') changes.name = sanitiseName(body.name ?? instance.name);
    if (body.tags !== undefined) changes.tags = body.tags;
    if (body.providerData !== undefined) changes.providerData = body.providerData;
    if (body.traceLoggingEnabled !== undefined) changes.traceLoggingEnabled = body.traceLoggingEnabled;
    if (body.cachingEnabled !== undefined) changes.cachingEnabled = body.cachingEnabled;
    if (body.maxCacheSize !== undefined) changes.maxCacheSize = body.maxCacheSize;
    if (body.cacheTimeToLive !== undefined) changes.cacheTimeToLive = body.cacheTimeToLive;
    if (body.configuration !== undefined) {
      const merged = this.#mergeConfiguration(module, instance.configuration, this.#known(module, body.configuration), mode === 'put');
      const configuration = this.#validate(module, merged);
      if (module.needsReprovision(instance.configuration, configuration) || changes.elementKey !== undefined) {
        changes.vendorMeta = await module.provision(configuration, {
          http: this.vendorHttp(module.definition.key),
          logger: this.logger,
          timeoutMs: this.vendorTimeoutMs,
        });
        changes.valid = true;
      }
      changes.configuration = configuration;
      changes.eventsEnabled = eventsEnabled(configuration);
    }
    const updated = await this.repo.update(instance.id, changes, this.#now());
    await this.changed(instance.id);
    if (!updated) throw notFound(`No instance found with ID ${instance.id}`);
    await this.#lifecycle?.changed(updated);
    return updated;
  }

  async setConfigurationValue(instance: Instance, key: string, value: string): Promise<Instance> {
    return this.#apply(instance, { configuration: { [key]: value } }, 'patch');
  }

  async setDisabled(instance: Instance, disabled: boolean): Promise<Instance> {
    const updated = (await this.repo.update(instance.id, { disabled }, this.#now()))!;
    await this.changed(instance.id);
    await this.#lifecycle?.changed(updated);
    return updated;
  }

  /** The vendor refused the credentials (401 or lockout): they no longer work until changed. */
  async markInvalid(instance: Instance): Promise<void> {
    await this.repo.update(instance.id, { valid: false }, this.#now());
    await this.changed(instance.id);
  }

  async delete(identity: Identity, id: number, elementKeyOrId?: string): Promise<void> {
    await this.#remove(await this.get(identity, id, elementKeyOrId), true);
  }

  /**
   * Deletes every instance of an account or a user that is about to be deleted, each as `delete`
   * does: the database would drop their rows with the account or user, but not remove their
   * webhooks from the vendor nor tell the other nodes. Their webhooks are removed by the worker,
   * so that a vendor that is slow or down does not hold the deletion for a vendor timeout per
   * instance.
   */
  async deleteOwnedBy(owner: AccountOrUser): Promise<void> {
    for (const id of await this.repo.idsOwnedBy(owner)) {
      const instance = await this.repo.find(id);
      if (instance) await this.#remove(instance, false);
    }
  }

  async #remove(instance: Instance, vendorNow: boolean): Promise<void> {
    await this.#lifecycle?.deleting(instance, vendorNow);
    await this.repo.delete(instance.id);
    await this.changed(instance.id);
    this.logger.info({ instanceId: instance.id }, 'instance deleted');
  }

  async countForElement(identity: Identity | null, elementKey: string): Promise<{ instanceCount: number; customerCount: number }> {
    if (!identity) return { instanceCount: 0, customerCount: 0 };
    const c = await this.repo.countByElement(identity.organizationId, elementKey);
    return { instanceCount: c.instances, customerCount: c.accounts };
  }
}
