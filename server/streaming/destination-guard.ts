/**
 * RTMP(S) destinations must be out on the internet: an event owner types the ingest URL, and
 * the server then connects to it and reports how that went in the health push, so an
 * internal address (loopback, private, link-local, unique-local, CGNAT, multicast,
 * unspecified; IPv4 and IPv6) would let them probe the server's own network. The host is
 * resolved and every address checked when a destination is saved and again before each
 * connection, so a name that later resolves inward (DNS rebinding) is caught too. An
 * operator may allow internal destinations (a relay next to the server) in `[streaming]`.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { AppError } from "../errors.ts";

/** Config `[streaming]`: allow_private_destinations, allowed_destination_hosts. */
export type DestinationPolicy = { allowPrivate: boolean; allowedHosts: readonly string[] };

const internal = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) internal.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64: an IPv4 address inside, possibly an internal one
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // old site-local
  ["ff00::", 8], // multicast
] as const) internal.addSubnet(network, prefix, "ipv6");

/** Whether an IP address is internal (IPv4-mapped IPv6 addresses count as their IPv4 one). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? "ipv4" : "ipv6");
}

const refused = (host: string) =>
  AppError.badRequest(
    "destination_not_public",
    `The ingest host ${host} is an internal address (or resolves to one); use the public ingest URL your streaming service gives you`,
  );

/** Throws unless the URL's host may be pushed to under the policy; resolves names (every address must be public). */
export async function assertPublicDestination(ingestUrl: string, policy: DestinationPolicy): Promise<void> {
  if (policy.allowPrivate) return;
  const host = new URL(ingestUrl).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (policy.allowedHosts.some((allowed) => allowed.toLowerCase() === host)) return;
  if (isIP(host) !== 0) {
    if (isInternalAddress(host)) throw refused(host);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    throw AppError.badRequest("destination_unresolvable", `The ingest host ${host} could not be found; check the ingest URL`);
  }
  if (addresses.length === 0 || addresses.some((a) => isInternalAddress(a.address))) throw refused(host);
}
