/**
 * The platform's commission rate, in basis points: a platform default that admins set (kept in
 * the settings table) and a per-organization override (organizations.commission_bp, also set
 * by admins; null falls back to the default). The order flow asks `commissionRateFor` when it
 * prices an order and takes the fee with `commissionFor` (server/payments/commission.ts).
 */
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";

type Db = Kysely<DB> | Transaction<DB>;

// The same key the order flow reads when it prices an order (server/ticketing/pricing.ts).
const SETTING_KEY = "commission_bp";
/** Until an admin sets one, the platform keeps nothing. */
export const DEFAULT_COMMISSION_BP = 0;

export const commissionBpSchema = z.number().int("Use whole basis points").min(0, "Use 0 or more").max(10_000, "Use at most 10000 (100 %)");

export async function platformCommissionBp(db: Db): Promise<number> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", SETTING_KEY).executeTakeFirst();
  if (!row) return DEFAULT_COMMISSION_BP;
  const parsed = commissionBpSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_COMMISSION_BP;
}

export async function setPlatformCommissionBp(db: Db, basisPoints: number): Promise<void> {
  const row = { key: SETTING_KEY, value: JSON.stringify(basisPoints), updated_at: new Date().toISOString() };
  await db
    .insertInto("settings")
    .values(row)
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

/** The rate an organization's orders pay: its override, else the platform default. */
export async function commissionRateFor(db: Db, organizationId: string): Promise<number> {
  const org = await db.selectFrom("organizations").select("commission_bp").where("id", "=", organizationId).executeTakeFirst();
  if (!org) throw AppError.notFound("No such organization");
  return org.commission_bp ?? (await platformCommissionBp(db));
}

export async function setOrganizationCommissionBp(db: Db, organizationId: string, basisPoints: number | null): Promise<void> {
  const result = await db
    .updateTable("organizations")
    .set({ commission_bp: basisPoints, updated_at: new Date().toISOString() })
    .where("id", "=", organizationId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw AppError.notFound("No such organization");
}
