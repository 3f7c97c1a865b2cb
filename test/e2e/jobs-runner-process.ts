/**
 * A job runner process for test/e2e/jobs-restart.test.ts: the real JobRunner over a given
 * SQLite file with one test-only kind, which exists in this process and nowhere in the
 * product. Its first attempt hangs (the test SIGKILLs the process there); a later attempt
 * completes. Every start and completion is appended to the marker file.
 *
 *   node test/e2e/jobs-runner-process.ts <database file> <marker file> <lease ms>
 */
import { appendFileSync } from "node:fs";
import type { Kysely } from "kysely";
import { z } from "zod";
import { configSchema } from "../../server/config/index.ts";
import { migrateToLatest } from "../../server/db/migrate.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { JobRunner } from "../../server/jobs/runner.ts";
import { createLogger } from "../../server/log.ts";

const [file, marker, leaseMs] = process.argv.slice(2);
const db = openSqlite({ file });
await migrateToLatest(db as Kysely<unknown>);
const runner = new JobRunner({
  db,
  log: createLogger("warn"),
  config: { ...configSchema.parse({}).jobs, poll_interval_ms: 50, lease_ms: Number(leaseMs) },
});
runner.define("test.crash-once", {
  schema: z.object({ label: z.string() }),
  async handle(_payload, context) {
    appendFileSync(marker, `start ${context.attempt} ${process.pid}\n`);
    if (context.attempt === 1) await new Promise(() => {});
    appendFileSync(marker, `done ${context.attempt} ${process.pid}\n`);
  },
});
// The runner's timers do not hold a process open (a server's HTTP listener does); this stands in.
const keepAlive = setInterval(() => {}, 60_000);
process.once("SIGTERM", () => {
  void runner.stop().then(async () => {
    clearInterval(keepAlive);
    await db.destroy();
    process.exit(0);
  });
});
runner.start();
process.stdout.write("ready\n");
