import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as seed from "../../test/support/seed.ts";
import { loadConfig } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { JobRunner } from "../jobs/index.ts";
import { createLogger } from "../log.ts";
import { INVITE_JOB, planFeedbackInvitations, targetMoved } from "./invitations.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-feedback-invites-"));
const config = loadConfig({ env: { PLENARY_DATA_DIR: dir } });
let db: Kysely<DB>;
let jobs: JobRunner;
const HOUR = 3_600_000;
const now = new Date("2026-06-01T12:00:00.000Z");
const at = (hours: number) => new Date(now.getTime() + hours * HOUR).toISOString();

beforeAll(async () => {
  db = openSqlite({ file: config.paths.database });
  await migrateToLatest(db as Kysely<unknown>);
  // Not started: planning only writes rows, and this test reads them.
  jobs = new JobRunner({ db, config: config.jobs, log: createLogger("silent") });
  await seed.write(db, seed.organization({ id: "org", name: "Org", slug: "org" }));
  const event = (id: string, status: "approved" | "draft", endsIn: number) =>
    seed.write(db, seed.event({ id, organizationId: "org", slug: id, title: id, startsAt: at(endsIn - 2), endsAt: at(endsIn), status }));
  const session = (id: string, eventId: string, endsIn: number) =>
    seed.write(db, seed.session({ id, eventId, title: id, startsAt: at(endsIn - 1), endsAt: at(endsIn) }));
  await event("soon", "approved", 30);
  await session("soon-1", "soon", 5);
  await session("soon-2", "soon", 30);
  await session("long-ago", "soon", -48);
  await event("far", "approved", 24 * 30);
  await event("draft", "draft", 10);
  await session("draft-1", "draft", 10);
});

afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

it("plans one invitation job per approved event and session ending within a week, due at its end, once", async () => {
  expect(await planFeedbackInvitations(db, jobs, now)).toBe(3);
  const planned = await db.selectFrom("jobs").select(["key", "run_at"]).where("kind", "=", INVITE_JOB).orderBy("run_at").execute();
  expect(planned).toEqual([
    { key: `feedback-invite:session:soon-1:${at(5)}`, run_at: at(5) },
    { key: `feedback-invite:event:soon:${at(30)}`, run_at: at(30) },
    { key: `feedback-invite:session:soon-2:${at(30)}`, run_at: at(30) },
  ]);
  // Planning again changes nothing.
  expect(await planFeedbackInvitations(db, jobs, now)).toBe(0);
});

it("re-plans a waiting invitation when its target's end moves, without touching one that ran", async () => {
  const keys = async () => (await db.selectFrom("jobs").select("key").where("kind", "=", INVITE_JOB).orderBy("key").execute()).map((j) => j.key);
  // The sweep notices a session and an event that moved: the jobs for their old ends go.
  await db.updateTable("event_sessions").set({ ends_at: at(6) }).where("id", "=", "soon-1").execute();
  await db.updateTable("events").set({ ends_at: at(40) }).where("id", "=", "soon").execute();
  expect(await planFeedbackInvitations(db, jobs, now)).toBe(2);
  expect(await keys()).toEqual([`feedback-invite:event:soon:${at(40)}`, `feedback-invite:session:soon-1:${at(6)}`, `feedback-invite:session:soon-2:${at(30)}`]);
  // The agenda reports a move at once; a target moved out of the sweep's week is still planned.
  await db.updateTable("event_sessions").set({ ends_at: at(24 * 10) }).where("id", "=", "soon-2").execute();
  await targetMoved(db, jobs, "session", "soon-2", now);
  expect(await keys()).toContain(`feedback-invite:session:soon-2:${at(24 * 10)}`);
  expect(await keys()).not.toContain(`feedback-invite:session:soon-2:${at(30)}`);
  // A job that already ran stays (its dedupe keys keep anyone from being asked twice); a deleted session's waiting job goes.
  await db.updateTable("jobs").set({ status: "done" }).where("key", "=", `feedback-invite:session:soon-1:${at(6)}`).execute();
  await db.updateTable("event_sessions").set({ ends_at: at(7) }).where("id", "=", "soon-1").execute();
  await targetMoved(db, jobs, "session", "soon-1", now);
  expect(await keys()).toEqual(expect.arrayContaining([`feedback-invite:session:soon-1:${at(6)}`, `feedback-invite:session:soon-1:${at(7)}`]));
  await db.deleteFrom("event_sessions").where("id", "=", "soon-2").execute();
  await targetMoved(db, jobs, "session", "soon-2", now);
  expect((await keys()).filter((k) => k?.includes("soon-2"))).toEqual([]);
});
