import { type Kysely, sql } from "kysely";

/**
 * Door codes: every ticket gets a short code (eight characters of an unambiguous alphabet,
 * see server/tickets/short-code.ts) that door staff can type when the QR image will not
 * scan, instead of the signed code of some 190 characters. Unique per event. Tickets issued
 * before this migration get theirs here, so every ticket has one.
 */
// A copy of server/tickets/short-code.ts as it was when this migration was written: a
// migration must not change when the application code does.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
function newShortCode(): string {
  let code = "";
  while (code.length < 8) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) if (byte < 248 && code.length < 8) code += ALPHABET[byte % ALPHABET.length];
  }
  return code;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("tickets").addColumn("short_code", "text").execute();
  const tickets = await sql<{ id: string; event_id: string }>`select id, event_id from tickets order by event_id, id`.execute(db);
  const taken = new Map<string, Set<string>>();
  for (const ticket of tickets.rows) {
    const used = taken.get(ticket.event_id) ?? new Set<string>();
    taken.set(ticket.event_id, used);
    let code = newShortCode();
    while (used.has(code)) code = newShortCode();
    used.add(code);
    await sql`update tickets set short_code = ${code} where id = ${ticket.id}`.execute(db);
  }
  await db.schema.createIndex("tickets_event_short_code").unique().on("tickets").columns(["event_id", "short_code"]).execute();
}
