import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Which addresses switchboard may connect to on a user's behalf (a vendor's siteAddress, an
 * event callback URL). Every connection is checked after DNS resolution, and the address checked
 * is the one connected to, so a host name that resolves to a forbidden address (or starts to,
 * between two calls) is refused too.
 *
 * In order:
 * 1. `SWITCHBOARD_OUTBOUND_DENY` (addresses, CIDRs, host names, `*.domain`): refused.
 * 2. `SWITCHBOARD_OUTBOUND_ALLOW`: allowed; when it is set, everything else is refused.
 * 3. Built in, refused: link-local addresses (cloud metadata services live there:
 *    169.254.169.254, fd00:ec2::254), unspecified, multicast and broadcast addresses, and
 *    switchboard's own listening port on this machine.
 * 4. Everything else is allowed, private ranges and loopback included, because an on-premises
 *    vendor server lives there (docs/security.md shows how to narrow it).
 */
export interface OutboundPolicyOptions {
  allow: readonly string[];
  deny: readonly string[];
}

export class OutboundRefusedError extends Error {
  readonly code = 'OUTBOUND_REFUSED';
  constructor(
    readonly target: string,
    reason: string,
  ) {
    super(`switchboard's outbound policy refuses ${target}: ${reason}`);
    this.name = 'OutboundRefusedError';
  }
}

interface Rules {
  addresses: BlockList;
  hosts: string[];
  any: boolean;
}

const BUILT_IN: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (cloud metadata services answer there)'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['255.255.255.255', 32, 'ipv4', 'the broadcast address'],
];

/** `::ffff:127.0.0.1` and friends are IPv4 addresses in IPv6 dress. */
function plainAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(a);
  if (hex) {
    const hi = Number.parseInt(hex[1]!, 16);
    const lo = Number.parseInt(hex[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: a, family: isIP(a) === 6 ? 'ipv6' : 'ipv4' };
}

/** Parses one list of `SWITCHBOARD_OUTBOUND_*`; throws a message naming the bad entry. */
export function parseOutboundList(name: string, entries: readonly string[]): Rules {
  const addresses = new BlockList();
  const hosts: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const [ip, bits, ...rest] = entry.split('/');
    const family = isIP(plainAddress(ip!).address);
    if (family !== 0 && rest.length === 0) {
      const { address, family: f } = plainAddress(ip!);
      const max = f === 'ipv4' ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
        throw new Error(`${name}: "${raw}" has a prefix length outside 0–${max}`);
      }
      addresses.addSubnet(address, prefix, f);
    } else if (/^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`${name}: "${raw}" is neither an address, a CIDR nor a host name`);
    }
  }
  return { addresses, hosts, any: entries.some((e) => e.trim() !== '') };
}

const hostMatches = (rules: Rules, host: string) => rules.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));

export class OutboundPolicy {
  readonly #allow: Rules;
  readonly #deny: Rules;
  readonly #builtIn = BUILT_IN.map(([address, prefix, family, reason]) => {
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    return { list, family, reason };
  });
  readonly #ownPorts = new Set<number>();

  constructor(options: OutboundPolicyOptions) {
    this.#allow = parseOutboundList('SWITCHBOARD_OUTBOUND_ALLOW', options.allow);
    this.#deny = parseOutboundList('SWITCHBOARD_OUTBOUND_DENY', options.deny);
  }

  /** switchboard listens on this port: connections to it on this machine are refused. */
  addOwnPort(port: number): void {
    this.#ownPorts.add(port);
  }

  /**
   * The address to connect to for `host` (a name or an address literal) on `port`, once the
   * policy allows it; throws `OutboundRefusedError` otherwise, and the DNS error when the name
   * does not resolve.
   */
  async resolve(host: string, port: number): Promise<string> {
    const { name, literal, hostAllowed } = this.#byName(host);
    const address = literal ? name : (await lookup(name, { verbatim: true })).address;
    this.check(address, port, name, hostAllowed);
    return address;
  }

  /**
   * Throws `OutboundRefusedError` when a connection to `url` is refused whatever its host resolves
   * to: an address literal the policy refuses, or a host name in SWITCHBOARD_OUTBOUND_DENY. Run
   * when a user gives a URL, so that the answer says so at once; a name is checked again,
   * resolved, at each connection (`resolve`).
   */
  precheck(url: URL): void {
    const { name, literal } = this.#byName(url.hostname);
    if (literal) this.check(name, Number(url.port) || (url.protocol === 'https:' ? 443 : 80));
  }

  /** What the rules say of a host before it is resolved: refused when the deny list names it. */
  #byName(host: string): { name: string; literal: boolean; hostAllowed: boolean } {
    const name = host.toLowerCase().replace(/^\[|\]$/g, '');
    const literal = isIP(name) !== 0;
    if (!literal && hostMatches(this.#deny, name)) throw new OutboundRefusedError(name, 'the host is in SWITCHBOARD_OUTBOUND_DENY');
    return { name, literal, hostAllowed: !literal && hostMatches(this.#allow, name) };
  }

  /** Throws `OutboundRefusedError` unless a connection to `address`:`port` is allowed. */
  check(address: string, port: number, shownAs = address, hostAllowed = false): void {
    const plain = plainAddress(address);
    const target = shownAs === address ? address : `${shownAs} (${address})`;
    if (this.#deny.addresses.check(plain.address, plain.family)) throw new OutboundRefusedError(target, 'the address is in SWITCHBOARD_OUTBOUND_DENY');
    if (this.#ownPorts.has(port) && isThisMachine(plain.address)) throw new OutboundRefusedError(`${target}:${port}`, "it is switchboard's own address");
    if (hostAllowed || this.#allow.addresses.check(plain.address, plain.family)) return;
    if (this.#allow.any) throw new OutboundRefusedError(target, 'the address is not in SWITCHBOARD_OUTBOUND_ALLOW');
    const builtIn = this.#builtIn.find((b) => b.family === plain.family && b.list.check(plain.address, plain.family));
    if (builtIn) throw new OutboundRefusedError(target, `it is ${builtIn.reason}; SWITCHBOARD_OUTBOUND_ALLOW can allow it`);
  }
}

function isThisMachine(address: string): boolean {
  if (address.startsWith('127.') || address === '::1' || address === '0.0.0.0' || address === '::') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === address));
}
