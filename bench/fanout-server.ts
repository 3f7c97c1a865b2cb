/**
 * The Plenary side of bench/fanout.ts: the real server process (`node server/cli.ts start`
 * with its own temporary data folder, started as test/support/server.ts starts it) and one
 * session's audience written straight into its database with test/support/seed.ts: an
 * organization, an approved event with one session, a free ticket type, and per attendee a
 * verified account, a paid (free) order with one valid ticket and a logged-in browser session
 * whose cookie a client process connects with. The server reads these rows as it reads the
 * ones its own routes write, so `chat.join` and `chat.send` check each attendee's ticket.
 */
import { readFileSync } from "node:fs";
import { hashPassword } from "../server/accounts/passwords.ts";
import { SESSION_COOKIE } from "../server/accounts/sessions.ts";
import { hashSecret, newSecret } from "../server/accounts/tokens.ts";
import { PASSWORD } from "../test/support/accounts.ts";
import * as seed from "../test/support/seed.ts";
import { startServer, type TestServer } from "../test/support/server.ts";

export type PlenaryAudience = {
  server: TestServer;
  /** The session's chat channel, `session:<id>`. */
  channel: string;
  /** One Cookie header per attendee, each a different account holding a ticket. */
  cookies: string[];
};

// Rows per multi-row insert: well under SQLite's limit of 32,766 bound parameters.
const CHUNK = 500;

/** Starts the real server and seeds `attendees` ticket holders of one session; stop it with `server.stop()`. */
export async function startPlenary(attendees: number): Promise<PlenaryAudience> {
  const server = await startServer();
  try {
    const db = seed.openServerDb(server.dataDir);
    try {
      const startsAt = new Date().toISOString();
      const { id: organizationId } = await seed.write(db, seed.organization({ name: "Bench Org" }));
      const { id: eventId } = await seed.write(db, seed.event({ organizationId, title: "Bench Summit", startsAt }));
      const sessionId = await seed.write(db, seed.session({ eventId, title: "Keynote", startsAt }));
      const { id: ticketTypeId } = await seed.write(db, seed.ticketType({ eventId, name: "General", quantity: attendees }));

      // One argon2 hash for all: hashing 5,000 passwords would take minutes and measures nothing here.
      const passwordHash = await hashPassword(PASSWORD);
      const at = new Date().toISOString();
      const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const people = Array.from({ length: attendees }, (_, i) => ({
        id: crypto.randomUUID(),
        name: `Attendee ${i + 1}`,
        email: `attendee.${i + 1}.${eventId.slice(0, 8)}@example.org`,
        token: newSecret(),
      }));
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < people.length; i += CHUNK) {
          const chunk = people.slice(i, i + CHUNK);
          await trx
            .insertInto("users")
            .values(chunk.map((p) => ({
              id: p.id, email: p.email, display_name: p.name, password_hash: passwordHash, role: "user" as const,
              created_at: at, updated_at: at, email_verified_at: at,
            })))
            .execute();
          await trx
            .insertInto("sessions")
            .values(chunk.map((p) => ({
              id: crypto.randomUUID(), token_hash: hashSecret(p.token), user_id: p.id, created_at: at, last_seen_at: at,
              expires_at: expiresAt, user_agent: "bench", ip: "127.0.0.1",
            })))
            .execute();
        }
        for (const p of people) {
          const holder = { holderName: p.name, holderEmail: p.email };
          await seed.write(trx, seed.order({ eventId, userId: p.id, buyerName: p.name, buyerEmail: p.email, seats: [{ ticketTypeId, ...holder }] }));
        }
      });
      return { server, channel: `session:${sessionId}`, cookies: people.map((p) => `${SESSION_COOKIE}=${p.token}`) };
    } finally {
      await db.destroy();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Resident memory of a process, in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The server's Prometheus metrics as `name{labels}` → value. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.trim()) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}
