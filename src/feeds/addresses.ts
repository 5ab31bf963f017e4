import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";
import { IcalSlackReminderError } from "../errors.ts";

/**
 * Where a feed's redirects may lead. The configured URL may point at any address its owner chose
 * (a calendar server on the VPC is legitimate); a redirect is the remote server's choice, so it
 * may not lead from a public address into the network the function runs in (SSRF): no loopback,
 * link-local, private or unique-local address, in any spelling. Some addresses no redirect may
 * ever reach: the instance metadata service and the Lambda runtime API.
 */

/** Instance metadata (IPv4 and the Nitro IPv6 address) and ECS's task metadata: never a calendar. */
const NEVER = ["169.254.169.254", "fd00:ec2::254", "169.254.170.2"];

/**
 * An address as ipaddr.js reads it, IPv4-mapped (`::ffff:127.0.0.1`) and the deprecated
 * IPv4-compatible IPv6 (`::127.0.0.1`, `::/96`, which ipaddr.js counts as unicast) as the IPv4
 * they embed.
 */
function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return undefined;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() !== "ipv6") return parsed;
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const parts = v6.parts;
  // `::` and `::1` are the unspecified and loopback addresses, not IPv4 ones.
  if (parts.slice(0, 6).every((part) => part === 0) && ((parts[6] as number) > 0 || (parts[7] as number) > 1)) {
    return ipaddr.fromByteArray(v6.toByteArray().slice(12));
  }
  return parsed;
}

/**
 * True for an address on the public internet: ipaddr.js's `unicast` range. Everything else —
 * loopback, private, link-local, unique-local, CGNAT, unspecified, multicast, reserved, and the
 * IPv6 forms that embed an IPv4 address (6to4, Teredo, NAT64) — counts as internal.
 */
export function isPublicAddress(address: string): boolean {
  const parsed = parse(address);
  return parsed !== undefined && parsed.range() === "unicast";
}

/** True for an address no redirect may reach, whatever the feed's own address. */
export function isForbiddenAddress(address: string): boolean {
  const parsed = parse(address);
  if (!parsed) return false;
  return NEVER.some((never) => {
    const other = parse(never);
    return other !== undefined && other.kind() === parsed.kind() && other.toString() === parsed.toString();
  });
}

/** How strictly a redirect hop is checked. */
export type RedirectGuard = "public-only" | "no-metadata";

/** The connect-time check refused an address; `code` lets the fetcher say why. */
export class InternalAddressError extends IcalSlackReminderError {
  static override readonly errorName = "InternalAddressError";
  readonly code = "ERR_INTERNAL_ADDRESS";
  readonly address: string;
  constructor(address: string) {
    super(`refused to connect to internal address ${address}`);
    this.address = address;
  }
}

/** The address a host name or IP literal stands for: dns.lookup's, or the literal itself. */
export type Resolve = (host: string) => Promise<string[]>;

export const resolveHost: Resolve = (host) =>
  new Promise((resolve, reject) => {
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    if (ipaddr.isValid(bare)) return resolve([bare]);
    dnsLookup(bare, { all: true }, (error, addresses: LookupAddress[]) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => a.address));
    });
  });

/** True when `host` is an IP address written out (URLs normalise `2130706433` and `0x7f.1` to dotted form). */
export function isIpLiteral(host: string): boolean {
  return parse(host) !== undefined;
}

/** Whether an address may be connected to under `guard`. */
export function allowed(address: string, guard: RedirectGuard): boolean {
  if (isForbiddenAddress(address)) return false;
  return guard === "no-metadata" || isPublicAddress(address);
}

/**
 * A `lookup` for `net.connect` that resolves as node does, then refuses the connection when an
 * address the guard does not allow is among the answers. It runs at connect time on the
 * addresses actually used, so a DNS answer that changes between a check and the connection
 * (rebinding) cannot slip past it.
 */
export function guardedLookup(guard: RedirectGuard) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "");
      const refused = addresses.find((a) => !allowed(a.address, guard));
      if (refused) return callback(new InternalAddressError(refused.address) as NodeJS.ErrnoException, "");
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first?.address ?? "", first?.family);
    });
  };
}

/**
 * The guard a feed's redirects are checked under, from the addresses its configured host stands
 * for. A feed on a public address may be redirected only to public ones; any feed never to
 * metadata. A host that does not resolve gets the strict guard.
 */
export async function redirectGuard(configured: URL, resolve: Resolve): Promise<RedirectGuard> {
  try {
    const addresses = await resolve(configured.hostname);
    return addresses.length > 0 && addresses.every(isPublicAddress) ? "public-only" : "no-metadata";
  } catch {
    return "public-only";
  }
}

/** The refusal of a redirect into the function's own network, as a message says it after the hosts. */
export const INTERNAL_REFUSAL =
  "an internal address; refused: a calendar server's redirect may not lead into the network the function runs in (loopback, private, link-local, metadata). Use the calendar's final public address";

/**
 * Why a redirect target is refused before connecting, if it is: the Lambda runtime API
 * (`runtimeApi`, `host:port`), or an IP literal the guard does not allow.
 */
export function refusedTarget(target: URL, guard: RedirectGuard, runtimeApi: string | undefined): string | undefined {
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  if (runtimeApi) {
    const [apiHost, apiPort] = runtimeApi.split(/:(?=\d+$)/);
    const local = literal === "localhost" || !isPublicAddress(literal);
    if (port === apiPort && (literal === apiHost || local)) return INTERNAL_REFUSAL;
  }
  // net.connect does not look up an IP literal, so the connect-time check never sees it.
  if (isIpLiteral(literal) && !allowed(literal, guard)) return INTERNAL_REFUSAL;
  return undefined;
}
