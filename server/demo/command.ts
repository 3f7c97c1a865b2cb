/** The `plenary demo` command: migrates, seeds the sample event, prints where to find it. */
import path from "node:path";
import type { Kysely } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openSqlite } from "../db/sqlite.ts";
import { TicketKeys } from "../tickets/ticket-keys.ts";
import { DemoRefusedError, seedDemo } from "./demo.ts";

export async function demoCommand(config: LoadedConfig): Promise<number> {
  const db = openSqlite({ file: config.paths.database, busyTimeoutMs: config.database.busy_timeout_ms });
  try {
    await migrateToLatest(db as Kysely<unknown>);
    const summary = await seedDemo(db, TicketKeys.load(path.join(config.paths.dataDir, "keys")));
    const base = (config.http.public_url ?? `http://${config.http.host === "0.0.0.0" ? "127.0.0.1" : config.http.host}:${config.http.port}`).replace(/\/+$/, "");
    const lines = [
      `demo event created: ${base}/events/${summary.eventSlug}`,
      ...summary.sessions.map((s) => `  session "${s.title}" starts ${s.startsAt}`),
      `  ${summary.attendees.length} sample attendees with free tickets (${summary.attendees.map((a) => a.email).join(", ")})`,
      `  ${summary.supporters.length} paid orders booked as Stripe sales, for the revenue pages (${summary.supporters.map((a) => a.email).join(", ")})`,
      summary.owners.length > 0
        ? `  owners of the sample organization: ${summary.owners.join(", ")}`
        : "  no admin account yet: platform admins can run every event once you create one",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof DemoRefusedError)) throw error;
    process.stderr.write(`plenary demo: ${error.message}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}
