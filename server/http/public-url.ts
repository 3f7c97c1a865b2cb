/**
 * Where this server is: the one base URL every link in an e-mail, calendar file, payment
 * redirect and preview points to, and the Host names a request may be addressed to.
 *
 * Never from the request's Host header: anyone can send `Host: evil.example`, and a reset link
 * built from it would mail the victim's token to the sender's server. The base is the
 * configured `http.public_url`, else the one the first-run page recorded, else the address
 * the server listens on.
 *
 * Hosts (DNS rebinding defence): a page on a name the attacker controls can be pointed at
 * this server's address, but its requests still carry the attacker's name as Host. So names
 * must be ours (public_url's host, the first-run URL's host, `http.allowed_hosts`,
 * `localhost`), while IP literals are always accepted: no page can rebind an IP address,
 * and orchestrators probe with the pod's IP. Others get 421 Misdirected Request.
 */
import type { Server } from "node:http";
import { isIP } from "node:net";
import type { Kysely } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import type { Config } from "../config/schema.ts";
import type { DB } from "../db/schema.ts";
import { getSetting } from "../settings.ts";

/** The base URL for links, without a trailing slash. */
export async function publicBaseUrl(config: Pick<Config, "http">, db: Kysely<DB>, listenUrl: string): Promise<string> {
  const configured = config.http.public_url ?? (await getSetting(db, "public_url"));
  return (configured ?? listenUrl).replace(/\/+$/, "");
}

/** http://<listen address>:<port>, with 127.0.0.1 for a wildcard address (reachable from this machine). */
export function listenUrlOf(server: Server, configuredHost: string, configuredPort: number): string {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : configuredPort;
  const wildcard = configuredHost === "0.0.0.0" || configuredHost === "::";
  const host = wildcard ? "127.0.0.1" : configuredHost.includes(":") ? `[${configuredHost}]` : configuredHost;
  return `http://${host}:${port}`;
}

/** The host name of a Host header value (no port, no IPv6 brackets, lower case); null when malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  try {
    const { hostname } = new URL(`http://${header}`);
    return hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return null;
  }
}

export class HostAllowlist {
  // Names always accepted: public_url's host, http.allowed_hosts, localhost and the listen host.
  readonly #names: Set<string>;
  // The first-run URL's host, which can be recorded while the server runs.
  readonly #db: Kysely<DB>;

  constructor(config: LoadedConfig, db: Kysely<DB>) {
    this.#db = db;
    const names = ["localhost", config.http.host, ...config.http.allowed_hosts.split(",").map((h) => h.trim())].filter((h) => h !== "");
    if (config.http.public_url) names.push(new URL(config.http.public_url).hostname);
    this.#names = new Set(names.map((n) => n.replace(/^\[|\]$/g, "").toLowerCase()));
  }

  /** Whether a request with this Host (and, behind a trusted proxy, X-Forwarded-Host) is for us. */
  async allows(hostHeader: string | undefined): Promise<boolean> {
    const name = hostNameOf(hostHeader);
    if (name === null) return false;
    if (isIP(name) !== 0 || this.#names.has(name)) return true;
    // Only foreign-looking names reach the database, so ordinary requests cost nothing.
    const recorded = await getSetting(this.#db, "public_url");
    return recorded !== null && new URL(recorded).hostname.toLowerCase() === name;
  }
}

/** The body of a 421 answer. */
export const MISDIRECTED = {
  code: "misdirected_request",
  message: "This server does not answer for that host name; use its public address",
} as const;
