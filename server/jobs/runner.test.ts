import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "../config/index.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import { createLogger } from "../log.ts";
import { retryDelayMs } from "./backoff.ts";
import { JobFailure, JobRunner } from "./runner.ts";
import { listJobs } from "./store.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-jobs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger("silent");
const jobsConfig = (overrides: Partial<ReturnType<typeof configSchema.parse>["jobs"]> = {}) => ({
  ...configSchema.parse({}).jobs,
  poll_interval_ms: 20,
  retry_base_ms: 40,
  retry_max_ms: 1_000,
  ...overrides,
});

let fileCount = 0;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function database(file = path.join(dir, `jobs-${++fileCount}.sqlite`)) {
  const db = openSqlite({ file });
  await migrateToLatest(db as Kysely<unknown>);
  cleanup.push(() => db.destroy());
  return { db, file };
}

function runner(db: Kysely<DB>, overrides: Parameters<typeof jobsConfig>[0] = {}) {
  const r = new JobRunner({ db, config: jobsConfig(overrides), log });
  cleanup.push(() => r.stop());
  return r;
}

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const job = (db: Kysely<DB>, id: string) => db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("retryDelayMs", () => {
  it("doubles per attempt, caps at the maximum, and jitters within the upper half", () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1_000, 5_000, () => 1))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 1_000, 5_000, () => 0))).toEqual([500, 1_000, 2_000, 2_500]);
  });
});

describe("JobRunner", () => {
  it("retries a failing job with backoff and records the error until it succeeds", async () => {
    const { db } = await database();
    const attempts: number[] = [];
    const r = runner(db, { retry_base_ms: 300 }).define("test.flaky", {
      schema: z.object({ n: z.number() }),
      async handle(payload, ctx) {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
        expect(payload).toEqual({ n: 7 });
      },
    });
    r.start();
    const { id } = await r.enqueue({ kind: "test.flaky", payload: { n: 7 } });

    // After the first failure the job waits, with the error kept, for at least half the base delay.
    const waiting = await until(async () => {
      const row = await job(db, id);
      return row.status === "queued" && row.attempts === 1 && row;
    });
    expect(waiting.last_error).toBe("boom 1");
    // Jitter keeps at least half of the 300 ms base; the slack covers the write after it was computed.
    expect(Date.parse(waiting.run_at) - Date.parse(waiting.updated_at)).toBeGreaterThanOrEqual(120);

    const done = await until(async () => {
      const row = await job(db, id);
      return row.status === "done" && row;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(done).toMatchObject({ attempts: 3, last_error: "boom 2", locked_by: null });
    expect(done.finished_at).not.toBeNull();
  });

  it("marks a job dead after its last attempt and keeps the error", async () => {
    const { db } = await database();
    let calls = 0;
    const r = runner(db).define("test.broken", {
      schema: z.unknown(),
      maxAttempts: 3,
      handle: async () => {
        calls += 1;
        throw new Error(`smtp down (${calls})`);
      },
    });
    r.start();
    const { id } = await r.enqueue({ kind: "test.broken", payload: null });
    const dead = await until(async () => {
      const row = await job(db, id);
      return row.status === "dead" && row;
    });
    expect(dead).toMatchObject({ attempts: 3, max_attempts: 3, last_error: "smtp down (3)" });
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(3);

    const listing = await listJobs(db, { status: "dead" });
    expect(listing.counts).toEqual({ queued: 0, running: 0, done: 0, dead: 1 });
    expect(listing.jobs.map((j) => j.id)).toEqual([id]);
  });

  it("gives up at once on a permanent failure or a payload its schema refuses", async () => {
    const { db } = await database();
    const r = runner(db).define("test.strict", {
      schema: z.object({ userId: z.string() }),
      handle: async () => {
        throw JobFailure.permanent("user deleted");
      },
    });
    r.start();
    const a = await r.enqueue({ kind: "test.strict", payload: { userId: "u1" } });
    const b = await r.enqueue({ kind: "test.strict", payload: { userId: 42 } });
    for (const [id, error] of [[a.id, "user deleted"], [b.id, /^invalid payload/]] as const) {
      const row = await until(async () => {
        const r2 = await job(db, id);
        return r2.status === "dead" && r2;
      });
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(error);
    }
  });

  it("enqueues a keyed job once, re-plans it on request, never a finished one, and cancels a waiting one", async () => {
    const { db } = await database();
    const r = runner(db);
    const later = new Date(Date.now() + 3_600_000);
    const first = await r.enqueue({ kind: "reminder", key: "reminder:s1:u1:24h", payload: { at: 1 }, runAt: later });
    const again = await r.enqueue({ kind: "reminder", key: "reminder:s1:u1:24h", payload: { at: 2 } });
    expect(first.outcome).toBe("created");
    expect(again).toEqual({ id: first.id, outcome: "exists" });
    expect((await job(db, first.id)).payload).toBe('{"at":1}');

    // The session moved: the reminder follows it.
    const moved = new Date(Date.now() + 7_200_000);
    const replanned = await r.enqueue({ kind: "reminder", key: "reminder:s1:u1:24h", payload: { at: 3 }, runAt: moved, replace: true });
    expect(replanned).toEqual({ id: first.id, outcome: "replaced" });
    expect(await job(db, first.id)).toMatchObject({ payload: '{"at":3}', run_at: moved.toISOString(), status: "queued" });
    expect((await db.selectFrom("jobs").select("id").execute()).length).toBe(1);

    // Once sent, moving the session again does not send it a second time.
    await db.updateTable("jobs").set({ status: "done" }).where("id", "=", first.id).execute();
    expect((await r.enqueue({ kind: "reminder", key: "reminder:s1:u1:24h", payload: {}, replace: true })).outcome).toBe("done");
    expect(await r.cancel("reminder:s1:u1:24h")).toBe(false);

    await r.enqueue({ kind: "reminder", key: "reminder:s1:u2:24h", payload: {}, runAt: later });
    expect(await r.cancel("reminder:s1:u2:24h")).toBe(true);
    expect(await r.cancel("reminder:s1:u2:24h")).toBe(false);
  });

  it("leaves kinds it has no handler for to other runners", async () => {
    const { db } = await database();
    const r = runner(db).define("test.mine", { schema: z.unknown(), handle: async () => {} });
    r.start();
    const other = await r.enqueue({ kind: "test.not-mine", payload: null });
    const mine = await r.enqueue({ kind: "test.mine", payload: null });
    await until(async () => (await job(db, mine.id)).status === "done");
    expect(await job(db, other.id)).toMatchObject({ status: "queued", attempts: 0 });
  });

  it("runs each job exactly once when two runners on two connections race for the same file", async () => {
    const { db, file } = await database();
    const { db: db2 } = await database(file);
    const runs = new Map<string, number>();
    const count = async (_: unknown, ctx: { id: string }) => {
      runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
    };
    const a = runner(db, { concurrency: 3 }).define("test.count", { schema: z.unknown(), handle: count });
    const b = runner(db2, { concurrency: 3 }).define("test.count", { schema: z.unknown(), handle: count });
    for (let i = 0; i < 120; i++) await a.enqueue({ kind: "test.count", payload: i });
    a.start();
    b.start();
    await until(async () => (await listJobs(db)).counts.done === 120);
    expect(runs.size).toBe(120);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const claimedTwice = await db.selectFrom("jobs").select("attempts").where("attempts", "!=", 1).execute();
    expect(claimedTwice).toEqual([]);
  });

  it("runs again a job whose runner died mid-job once its lease has expired", async () => {
    const { db } = await database();
    const r = runner(db);
    const { id } = await r.enqueue({ kind: "test.recover", payload: null });
    // As a runner that was killed leaves it: running, attempt 1, lease in the past.
    const past = new Date(Date.now() - 1_000).toISOString();
    await db.updateTable("jobs").set({ status: "running", attempts: 1, locked_by: "dead-runner", locked_until: past }).where("id", "=", id).execute();
    const attempts: number[] = [];
    r.define("test.recover", { schema: z.unknown(), handle: async (_, ctx) => void attempts.push(ctx.attempt) });
    r.start();
    const done = await until(async () => {
      const row = await job(db, id);
      return row.status === "done" && row;
    });
    expect(attempts).toEqual([2]);
    expect(done.last_error).toMatch(/lease expired/);
  });

  it("keeps a slow job's lease alive and, on stop, finishes it without claiming more", async () => {
    const { db } = await database();
    let release!: () => void;
    const started: string[] = [];
    const r = new JobRunner({ db, config: jobsConfig({ lease_ms: 150, concurrency: 1 }), log }).define("test.slow", {
      schema: z.unknown(),
      handle: async (_, ctx) => {
        started.push(ctx.id);
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    r.start();
    const first = await r.enqueue({ kind: "test.slow", payload: 1 });
    await until(async () => started.length === 1);
    // Several lease lengths later the job still belongs to this runner.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await job(db, first.id)).toMatchObject({ status: "running", attempts: 1, locked_by: r.runnerId });
    const second = await r.enqueue({ kind: "test.slow", payload: 2 });
    const stopped = r.stop();
    release();
    await stopped;
    expect((await job(db, first.id)).status).toBe("done");
    expect(await job(db, second.id)).toMatchObject({ status: "queued", attempts: 0 });
    expect(started).toEqual([first.id]);
  });
});
