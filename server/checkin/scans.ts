/**
 * Admitting tickets on a check-in list. A scan names a ticket by its signed code (from the
 * QR image), by its door code (typed; looked up within the list's event) or, for manual
 * check-in, by id; it carries the scanner's nonce, so the same scan
 * uploaded again (an offline queue synced twice) gets the answer it got the first time and
 * counts once. A ticket enters a list once; refunded, revoked and cancelled tickets, tickets
 * of another event and types the list does not admit are refused with the reason.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB, TicketStatus } from "../db/schema.ts";
import { normalizeShortCode } from "../tickets/short-code.ts";
import { type TicketPublicKey, verifyTicketCode } from "../tickets/ticket-code.ts";

type Db = Kysely<DB> | Transaction<DB>;

export type ScanInput = {
  /** The scanner's id for this scan (a UUID it made); the same scan re-uploaded repeats it. */
  nonce: string;
  /** When the door saw the ticket, by the device's clock. */
  scannedAt: string;
} & ({ code: string } | { ticketId: string });

export type RefusalReason =
  | "bad_code"
  | "unknown_ticket"
  | "wrong_event"
  | "not_on_list"
  | "refunded"
  | "revoked"
  | "cancelled";

export type ScanResult = {
  nonce: string;
  outcome: "admitted" | "already_checked_in" | "refused";
  reason?: RefusalReason;
  /** A sentence for the door staff. */
  message: string;
  ticket?: { id: string; holderName: string; ticketType: string };
  /** When the ticket was admitted on this list (by this scan or an earlier one). */
  checkedInAt?: string;
  /** This nonce was already uploaded; nothing was counted again. */
  replay?: boolean;
};

export type CheckinList = { id: string; eventId: string; name: string; ticketTypeIds: string[] | null };

const REFUSED_STATUS: Record<Exclude<TicketStatus, "valid">, string> = {
  refunded: "This ticket was refunded",
  revoked: "This ticket was revoked",
  cancelled: "This ticket was cancelled",
};

export async function applyScans(
  db: Kysely<DB>,
  list: CheckinList,
  keys: readonly TicketPublicKey[],
  scans: readonly ScanInput[],
  scannedBy: string | null,
): Promise<ScanResult[]> {
  // Signatures first, outside the write transaction (WebCrypto is async).
  const resolved = await Promise.all(scans.map(async (scan) => ({ scan, target: await resolveTarget(keys, scan) })));
  return db.transaction().execute(async (trx) => {
    const results: ScanResult[] = [];
    for (const { scan, target } of resolved) results.push(await applyOne(trx, list, scan, target, scannedBy));
    return results;
  });
}

type Target = { ticketId: string; eventId: string | null } | { shortCode: string } | { refused: "bad_code" };

async function resolveTarget(keys: readonly TicketPublicKey[], scan: ScanInput): Promise<Target> {
  if ("ticketId" in scan) return { ticketId: scan.ticketId, eventId: null };
  const shortCode = normalizeShortCode(scan.code);
  if (shortCode) return { shortCode };
  const verdict = await verifyTicketCode(keys, scan.code);
  if (!verdict.valid) return { refused: "bad_code" };
  return { ticketId: verdict.ticket.ticketId, eventId: verdict.ticket.eventId };
}

async function applyOne(trx: Db, list: CheckinList, scan: ScanInput, target: Target, scannedBy: string | null): Promise<ScanResult> {
  const earlier = await trx
    .selectFrom("checkins")
    .select(["ticket_id", "list_id", "scanned_at"])
    .where("nonce", "=", scan.nonce)
    .executeTakeFirst();
  if (earlier) {
    if (earlier.list_id !== list.id) return refuse(scan, "not_on_list", "This scan was recorded on another list");
    const ticket = await describeTicket(trx, earlier.ticket_id);
    return { nonce: scan.nonce, outcome: "admitted", message: "Already recorded", ticket, checkedInAt: earlier.scanned_at, replay: true };
  }
  if ("refused" in target) return refuse(scan, "bad_code", "Not a Plenary ticket, or the code was altered");
  if ("shortCode" in target) {
    const found = await trx.selectFrom("tickets").select("id").where("event_id", "=", list.eventId).where("short_code", "=", target.shortCode).executeTakeFirst();
    if (!found) return refuse(scan, "unknown_ticket", "No ticket of this event has that code; check the letters, or find the person by name");
    target = { ticketId: found.id, eventId: list.eventId };
  }
  if (target.eventId !== null && target.eventId !== list.eventId) return refuse(scan, "wrong_event", "This ticket is for another event");

  const row = await trx
    .selectFrom("tickets")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .select(["tickets.id", "tickets.event_id", "tickets.status", "tickets.status_reason", "tickets.holder_name", "tickets.ticket_type_id", "ticket_types.name as type_name"])
    .where("tickets.id", "=", target.ticketId)
    .executeTakeFirst();
  if (!row) return refuse(scan, "unknown_ticket", "No such ticket");
  if (row.event_id !== list.eventId) return refuse(scan, "wrong_event", "This ticket is for another event");
  const ticket = { id: row.id, holderName: row.holder_name, ticketType: row.type_name };
  if (row.status !== "valid") {
    const detail = row.status_reason ? `: ${row.status_reason}` : "";
    return { ...refuse(scan, row.status, `${REFUSED_STATUS[row.status]}${detail}`), ticket };
  }
  if (list.ticketTypeIds !== null && !list.ticketTypeIds.includes(row.ticket_type_id)) {
    return { ...refuse(scan, "not_on_list", `${row.type_name} tickets are not admitted here`), ticket };
  }

  const inserted = await trx
    .insertInto("checkins")
    .values({
      id: randomUUID(),
      list_id: list.id,
      ticket_id: row.id,
      nonce: scan.nonce,
      source: "code" in scan ? "scan" : "manual",
      scanned_by: scannedBy,
      scanned_at: scan.scannedAt,
      synced_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(["list_id", "ticket_id"]).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
    return { nonce: scan.nonce, outcome: "admitted", message: "Welcome", ticket, checkedInAt: scan.scannedAt };
  }
  const first = await trx
    .selectFrom("checkins")
    .select("scanned_at")
    .where("list_id", "=", list.id)
    .where("ticket_id", "=", row.id)
    .executeTakeFirstOrThrow();
  return { nonce: scan.nonce, outcome: "already_checked_in", message: "Already checked in on this list", ticket, checkedInAt: first.scanned_at };
}

function refuse(scan: ScanInput, reason: RefusalReason, message: string): ScanResult {
  return { nonce: scan.nonce, outcome: "refused", reason, message };
}

async function describeTicket(trx: Db, ticketId: string) {
  const row = await trx
    .selectFrom("tickets")
    .innerJoin("ticket_types", "ticket_types.id", "tickets.ticket_type_id")
    .select(["tickets.id", "tickets.holder_name", "ticket_types.name as type_name"])
    .where("tickets.id", "=", ticketId)
    .executeTakeFirstOrThrow();
  return { id: row.id, holderName: row.holder_name, ticketType: row.type_name };
}
