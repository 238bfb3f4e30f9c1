// Where workflow calls may go. A workflow URL is typed by a marketer, and Waymark itself usually
// runs inside a private network next to its database, a cloud metadata service and admin ports:
// a URL naming any of those would turn webhooks into a way to reach them (SSRF). So unless the
// operator allows private addresses (WAYMARK_WEBHOOK_ALLOW_PRIVATE=1), a call may only go to
// public unicast addresses. The check is made on the addresses a name resolves to, and the
// connection goes to exactly the address that was checked (a second lookup could answer
// differently: DNS rebinding).
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Ranges that reach this host, its networks or special services (IANA special-purpose registries,
 * RFC 6890 and successors). The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32) are not among them: nothing answers there, and examples use them.
 */
const NOT_PUBLIC: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT, shared
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata services
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, and the broadcast address
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['::', 96, 'ipv6'], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96, 'ipv6'], // NAT64: reaches IPv4 addresses, private ones included
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['100::', 64, 'ipv6'], // discard
  ['2002::', 16, 'ipv6'], // 6to4: reaches IPv4 addresses, private ones included
  ['fc00::', 7, 'ipv6'], // unique local (private)
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

const notPublic = new BlockList();
for (const [network, prefix, family] of NOT_PUBLIC) notPublic.addSubnet(network, prefix, family);

/**
 * Whether an IP address is public unicast. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are
 * judged as the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !notPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to (the system resolver, as a connection would use). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

export interface AddressPolicy {
  /** WAYMARK_WEBHOOK_ALLOW_PRIVATE=1: loopback, private and link-local addresses are allowed too. */
  allowPrivate: boolean;
  resolver?: Resolver;
}

/** A call refused by the address policy: the workflow's address is not public. */
export class AddressNotAllowed extends Error {
  constructor(readonly host: string) {
    super('the workflow address is not a public internet address');
    this.name = 'AddressNotAllowed';
  }
}

/** The host of a URL as an address or name: `[::1]` loses its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves a host and checks every address it has: all must be allowed, since a connection may
 * use any of them. An IP address is checked as it is. Throws AddressNotAllowed, or the resolver's
 * error when the name does not resolve.
 */
export async function resolveAllowed(host: string, policy: AddressPolicy): Promise<ResolvedAddress[]> {
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await (policy.resolver ?? systemResolver)(host);
  if (addresses.length === 0) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  if (!policy.allowPrivate && addresses.some((one) => !isPublicAddress(one.address))) throw new AddressNotAllowed(host);
  return addresses;
}

/**
 * Why a workflow URL may not be registered, or null when it may: its host is, or resolves to, an
 * address the policy refuses. A name that does not resolve now is accepted: it is checked again,
 * after resolution, at every call.
 */
export async function refusedWorkflowUrl(url: string, policy: AddressPolicy): Promise<string | null> {
  try {
    await resolveAllowed(hostOf(new URL(url)), policy);
    return null;
  } catch (error) {
    if (error instanceof AddressNotAllowed) {
      return 'must reach a public internet address: loopback, private and link-local addresses are refused (WAYMARK_WEBHOOK_ALLOW_PRIVATE=1 allows them)';
    }
    return null;
  }
}

/**
 * A `lookup` for http(s).request: the connection goes only to addresses this very lookup checked,
 * never to a second, possibly different, answer.
 */
export function checkedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, policy).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((one) => one.family === options.family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all) {
          (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, wanted);
        } else {
          callback(null, wanted[0]!.address, wanted[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
