import { BlockList, isIP } from 'node:net';

/**
 * Addresses a context source must not reach by default: loopback, private, carrier-grade NAT,
 * link-local (cloud metadata services live at 169.254.169.254), unique-local, multicast and
 * reserved ranges — what an SSRF through a model-written `url` source would aim at.
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

/** Host names that always mean this machine or a cloud metadata service. */
const nonPublicNames = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal)\.?$/i;

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:7f00:1`, `::ffff:127.0.0.1`) carries. */
function mappedIpv4(address: string): string | undefined {
  const match = /^::ffff:(?:([\d.]+)|([\da-f]{1,4}):([\da-f]{1,4}))$/i.exec(address);
  if (!match) return undefined;
  if (match[1]) return match[1];
  const high = Number.parseInt(match[2]!, 16);
  const low = Number.parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** True for an IP address outside the public internet (see `nonPublic`). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = mappedIpv4(address);
  if (mapped !== undefined) return nonPublic.check(mapped, 'ipv4');
  const version = isIP(address);
  if (version === 4) return nonPublic.check(address, 'ipv4');
  if (version === 6) return nonPublic.check(address, 'ipv6');
  return false;
}

/**
 * True when the URL's host is, literally, a non-public address or name. Names are also checked
 * after DNS resolution by `resolvesToNonPublic`.
 */
export function isNonPublicHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return nonPublicNames.test(host) || isNonPublicAddress(host);
}

/**
 * True when any address `hostname` resolves to is non-public (a public name pointing inside).
 * A name that does not resolve is left to the fetch, which then fails on its own.
 */
export async function resolvesToNonPublic(hostname: string): Promise<boolean> {
  if (isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0) return false;
  const { lookup } = await import('node:dns/promises');
  try {
    const addresses = await lookup(hostname, { all: true, verbatim: true });
    return addresses.some(({ address }) => isNonPublicAddress(address));
  } catch {
    return false;
  }
}
