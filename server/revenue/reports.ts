/**
 * Revenue reports: sums of ledger entries for an event, an organization or the whole
 * platform, per day, ISO week (starting Monday) or month in UTC, and per currency (an
 * organization may sell in several, and the provider states fees in the currency the sale
 * settled in, so a EUR event settled in USD has a USD row with its fees; amounts in
 * different currencies are never added).
 *
 * Columns, all positive minor units except net:
 * - gross: sales; refunds: money given back; disputes: lost to chargebacks, less reversals;
 * - fees: the payment provider's fees: processing, and dispute fees less any it gave back;
 *   commission: the platform's share;
 * - net = gross − refunds − disputes − fees − commission: what the organization earned;
 * - payouts: what was paid out to the organization's bank in the period.
 */
import { type Kysely, sql } from "kysely";
import type { DB } from "../db/schema.ts";

export type Grouping = "day" | "week" | "month";
export type ReportScope = { eventId: string } | { organizationId: string } | { platform: true };

export type Totals = { gross: number; refunds: number; disputes: number; fees: number; commission: number; net: number; payouts: number };
export type ReportRow = Totals & { period: string; currency: string };
export type RevenueReport = { group: Grouping; from: string | null; to: string | null; rows: ReportRow[]; totals: (Totals & { currency: string })[] };

export const REPORT_COLUMNS = ["gross", "refunds", "disputes", "fees", "commission", "net", "payouts"] as const;

const PERIOD: Record<Grouping, ReturnType<typeof sql<string>>> = {
  day: sql<string>`substr(created_at, 1, 10)`,
  // Back six days, then forward to the next Monday: the Monday that starts the ISO week.
  week: sql<string>`date(created_at, '-6 days', 'weekday 1')`,
  month: sql<string>`substr(created_at, 1, 7)`,
};

const sumOf = (kinds: string[], sign: 1 | -1) =>
  sql<number>`coalesce(sum(case when kind in (${sql.join(kinds)}) then ${sql.lit(sign)} * amount else 0 end), 0)`;

/** Every column but net, as the sums of their ledger kinds. */
const sums = () =>
  [
    sumOf(["sale"], 1).as("gross"),
    sumOf(["refund"], -1).as("refunds"),
    sumOf(["dispute", "dispute_reversal"], -1).as("disputes"),
    sumOf(["provider_fee"], -1).as("fees"),
    sumOf(["commission"], -1).as("commission"),
    sumOf(["payout"], -1).as("payouts"),
  ] as const;

export async function revenueReport(db: Kysely<DB>, scope: ReportScope, options: { group: Grouping; from?: string; to?: string }): Promise<RevenueReport> {
  let query = db
    .selectFrom("ledger_entries")
    .select([
      PERIOD[options.group].as("period"),
      "currency",
      ...sums(),
    ])
    .groupBy(["period", "currency"])
    .orderBy("period")
    .orderBy("currency");
  if ("eventId" in scope) query = query.where("event_id", "=", scope.eventId);
  else if ("organizationId" in scope) query = query.where("organization_id", "=", scope.organizationId);
  // `to` is inclusive of its whole day: entries are compared as ISO text.
  if (options.from) query = query.where("created_at", ">=", options.from);
  if (options.to) query = query.where("created_at", "<", nextDay(options.to));
  const raw = await query.execute();
  const rows: ReportRow[] = raw.map((r) => withNet({ period: r.period, currency: r.currency, gross: r.gross, refunds: r.refunds, disputes: r.disputes, fees: r.fees, commission: r.commission, payouts: r.payouts }));
  const totals = new Map<string, Totals & { currency: string }>();
  for (const row of rows) {
    const t = totals.get(row.currency) ?? { currency: row.currency, gross: 0, refunds: 0, disputes: 0, fees: 0, commission: 0, net: 0, payouts: 0 };
    for (const column of REPORT_COLUMNS) t[column] += row[column];
    totals.set(row.currency, t);
  }
  return { group: options.group, from: options.from ?? null, to: options.to ?? null, rows, totals: [...totals.values()] };
}

function withNet<T extends Omit<Totals, "net">>(row: T): T & { net: number } {
  return { ...row, net: row.gross - row.refunds - row.disputes - row.fees - row.commission };
}

function nextDay(day: string): string {
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}

/** Per organization, for the admins' platform page: totals per organization and currency. */
export async function revenueByOrganization(db: Kysely<DB>, options: { from?: string; to?: string }) {
  let query = db
    .selectFrom("ledger_entries")
    .innerJoin("organizations", "organizations.id", "ledger_entries.organization_id")
    .select([
      "organizations.id as organizationId",
      "organizations.name as name",
      "organizations.commission_bp as commissionBp",
      "ledger_entries.currency as currency",
      ...sums(),
    ])
    .groupBy(["organizations.id", "ledger_entries.currency"])
    .orderBy("organizations.name");
  if (options.from) query = query.where("ledger_entries.created_at", ">=", options.from);
  if (options.to) query = query.where("ledger_entries.created_at", "<", nextDay(options.to));
  return (await query.execute()).map(withNet);
}

/** Minor units as a decimal string in the currency's own precision ("12.50", "1200" for JPY). */
export function formatMinor(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, "0")}`;
}

/** The report as CSV (RFC 4180): one line per period and currency, amounts in major units. */
export function reportCsv(report: RevenueReport): string {
  const lines = [["period", "currency", ...REPORT_COLUMNS].join(",")];
  for (const row of report.rows) lines.push([row.period, row.currency.toUpperCase(), ...REPORT_COLUMNS.map((c) => formatMinor(row[c], row.currency))].map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function csvField(value: string): string {
  // Quote separators and quotes; neutralize leading characters spreadsheets run as formulas.
  const safe = /^[=+@\t\r]/.test(value) || (/^-/.test(value) && !/^-\d/.test(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
