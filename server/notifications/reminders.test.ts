/**
 * Reminders racing a session move, made to interleave deterministically: a query plugin
 * commits the move (from a second connection, as another process would) right after the
 * reminder code has read the session, and before it writes anything.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createUser } from "../accounts/users.ts";
import { configSchema } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { JobRunner } from "../jobs/index.ts";
import { createLogger } from "../log.ts";
import { Mailer } from "../mail/mailer.ts";
import { Fanout } from "../realtime/fanout.ts";
import { eventWorld, giveTicket } from "../../test/e2e/chat-support.ts";
import { Notifier } from "./Notifier.ts";
import { defineReminderJob, planSessionReminders, REMINDER_JOB } from "./reminders.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-reminders-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger("silent");
const config = configSchema.parse({});
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Runs `then` once, right after the first read of event_sessions through this plugin's Kysely. */
class AfterSessionRead implements KyselyPlugin {
  readonly #then: () => Promise<void>;
  // Query ids of reads of event_sessions.
  readonly #reads = new Set<unknown>();
  // Whether `then` has run.
  #fired = false;

  constructor(then: () => Promise<void>) {
    this.#then = then;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (args.node.kind === "SelectQueryNode" && JSON.stringify(args.node).includes('"event_sessions"')) this.#reads.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.#fired && this.#reads.has(args.queryId)) {
      this.#fired = true;
      await this.#then();
    }
    return args.result;
  }
}

let count = 0;
async function world() {
  const file = path.join(dir, `r-${++count}.sqlite`);
  const db = openSqlite({ file });
  await migrateToLatest(db as Kysely<unknown>);
  // A second connection to the same file: the events code of another process.
  const other = openSqlite({ file });
  const jobsConfig = { ...config.jobs, poll_interval_ms: 20 };
  const jobs = new JobRunner({ db, config: jobsConfig, log });
  const otherJobs = new JobRunner({ db: other, config: jobsConfig, log });
  const fanout = new Fanout();
  const mailer = new Mailer(db, config.mail, log);
  const notifier = new Notifier({ db, mailer, fanout, log, config, fallbackUrl: () => "http://127.0.0.1" });
  cleanup.push(() => db.destroy(), () => other.destroy(), () => fanout.close(), () => jobs.stop());
  const owner = await createUser(db, { email: `owner${count}@example.org`, displayName: "Owner", password: "a long enough password" }, "user", { emailVerified: true });
  const alice = await createUser(db, { email: `alice${count}@example.org`, displayName: "Alice", password: "a long enough password" }, "user", { emailVerified: true });
  const start = new Date(Date.now() + 30 * 60_000);
  const event = await eventWorld(db, owner, { sessions: [start], reminderOffsets: [60] });
  await giveTicket(db, event, { id: alice.id, email: alice.email, name: "Alice" });
  const sessionId = event.sessionIds[0];
  /** The events module moving the session an hour later and re-planning, from the other connection. */
  const move = async () => {
    const moved = new Date(start.getTime() + 3_600_000);
    await other.updateTable("event_sessions").set({ starts_at: moved.toISOString(), ends_at: new Date(moved.getTime() + 3_600_000).toISOString() })
      .where("id", "=", sessionId).execute();
    await planSessionReminders(other, otherJobs, sessionId);
    return moved;
  };
  const reminders = () => db.selectFrom("jobs").select(["key", "run_at", "status", "payload"]).where("kind", "=", REMINDER_JOB).orderBy("key").execute();
  return { db, jobs, notifier, alice, start, sessionId, move, reminders };
}

describe("reminders racing a session move", () => {
  it("do not send for the old time when the move commits between the job's check and its claim", async () => {
    const w = await world();
    // Planned as of two hours ago, so the reminder (an hour before the start) is already due.
    await planSessionReminders(w.db, w.jobs, w.sessionId, new Date(Date.now() - 2 * 3_600_000));
    let moved: Date | undefined;
    const plugged = w.db.withPlugin(new AfterSessionRead(async () => void (moved = await w.move())));
    defineReminderJob(w.jobs, { db: plugged, notifier: w.notifier });
    w.jobs.start();

    const oldKey = `reminder:${w.sessionId}:${w.alice.id}:60:${w.start.toISOString()}`;
    await expect.poll(async () => (await w.reminders()).find((j) => j.key === oldKey)?.status, { timeout: 10_000 }).toBe("done");
    expect(moved).toBeDefined();
    // Nothing reached Alice for the old time...
    expect(await w.db.selectFrom("notifications").select("id").where("user_id", "=", w.alice.id).execute()).toEqual([]);
    expect(await w.db.selectFrom("outbox").select("id").where("to_address", "=", w.alice.email).execute()).toEqual([]);
    // ...and the move planned her reminder for the new time beside the running one, not lost behind it.
    const fresh = (await w.reminders()).find((j) => j.key === `reminder:${w.sessionId}:${w.alice.id}:60:${moved!.toISOString()}`);
    expect(fresh).toMatchObject({ status: "queued", run_at: new Date(moved!.getTime() - 3_600_000).toISOString() });
  });

  it("leave only the new time's reminders when a sweep plans while the session moves", async () => {
    const w = await world();
    let moved: Date | undefined;
    const plugged = w.db.withPlugin(new AfterSessionRead(async () => void (moved = await w.move())));
    // The sweep read the old time; the move committed before it wrote: its plan is refused, not applied.
    await expect(planSessionReminders(plugged, w.jobs, w.sessionId)).rejects.toThrow(/busy|locked/i);
    expect(moved).toBeDefined();
    const jobs = await w.reminders();
    expect(jobs.map((j) => [j.key, j.run_at, j.status])).toEqual([
      [`reminder:${w.sessionId}:${w.alice.id}:60:${moved!.toISOString()}`, new Date(moved!.getTime() - 3_600_000).toISOString(), "queued"],
    ]);
    // The next sweep, with nothing racing it, keeps the same reminders.
    expect((await planSessionReminders(w.db, w.jobs, w.sessionId)).cancelled).toBe(0);
    expect(await w.reminders()).toEqual(jobs);
  });
});
