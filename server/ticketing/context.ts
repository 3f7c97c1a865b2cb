/**
 * What the ticketing routes and jobs work with, built once in server.ts: the database, the
 * job queue, the mailer, the ticket signing keys and the payment provider (null when no
 * provider is configured: then only free tickets can be sold).
 */
import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { PaymentProvider } from "../payments/provider.ts";
import { publicBaseUrl } from "../http/public-url.ts";
import type { TicketKeys } from "../tickets/ticket-keys.ts";

export type Db = Kysely<DB> | Transaction<DB>;

export type TicketingContext = {
  db: Kysely<DB>;
  config: Config;
  jobs: JobRunner;
  mailer: Mailer;
  ticketKeys: TicketKeys;
  provider: PaymentProvider | null;
  log: Logger;
};

/** SHA-256 of an access code or token, as stored (codes compare case-insensitively, trimmed). */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret.trim().toUpperCase()).digest("hex");
}

/** The address people reach this server at, for links in e-mails and provider redirects; `listenUrl` is the last resort. */
export async function publicBase(ctx: Pick<TicketingContext, "db" | "config">, listenUrl: string): Promise<string> {
  return publicBaseUrl(ctx.config, ctx.db, listenUrl);
}

export const nowIso = () => new Date().toISOString();
