/**
 * The job queue's queries. Portable SQL only (SQLite today, PostgreSQL later): ISO text
 * timestamps compare as text, and every state change is one conditional UPDATE, so two
 * runners that race for a row cannot both win it.
 */
import { randomUUID } from "node:crypto";
import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { DB, JobStatus, JobsTable } from "../db/schema.ts";

export type JobRow = Selectable<JobsTable>;

export type EnqueueInput = {
  kind: string;
  /** Any JSON value; the kind's schema checks it when the job runs. */
  payload: unknown;
  /** When to run it. Default: now. */
  runAt?: Date;
  /** A domain key (e.g. `reminder:<session>:<user>:24h`): a second enqueue with it does nothing. */
  key?: string;
  /** Default: the kind's, else jobs.max_attempts. */
  maxAttempts?: number;
  /**
   * Re-plan the job that holds `key` (new time and payload, attempts reset) when it is
   * waiting or dead. A running or finished job is left as it is, so that a reminder
   * already sent is never sent again. Default false.
   */
  replace?: boolean;
};

/** What enqueue did: made a row, found one (left alone), re-planned one, or found it running or done. */
export type EnqueueOutcome = "created" | "exists" | "replaced" | "running" | "done";

export async function insertJob(
  db: Kysely<DB>,
  input: EnqueueInput & { maxAttempts: number },
  now = new Date(),
): Promise<{ id: string; outcome: EnqueueOutcome }> {
  const at = now.toISOString();
  const runAt = (input.runAt ?? now).toISOString();
  const payload = JSON.stringify(input.payload ?? null);
  const id = randomUUID();
  const inserted = await db
    .insertInto("jobs")
    .values({
      id, kind: input.kind, key: input.key ?? null, payload, status: "queued", run_at: runAt,
      max_attempts: input.maxAttempts, last_error: null, locked_by: null, locked_until: null,
      created_at: at, updated_at: at, finished_at: null,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return { id, outcome: "created" };

  const key = input.key!;
  if (input.replace) {
    const replaced = await db
      .updateTable("jobs")
      .set({
        kind: input.kind, payload, run_at: runAt, status: "queued", attempts: 0,
        max_attempts: input.maxAttempts, last_error: null, locked_by: null, locked_until: null,
        updated_at: at, finished_at: null,
      })
      .where("key", "=", key)
      .where("status", "in", ["queued", "dead"])
      .returning("id")
      .executeTakeFirst();
    if (replaced) return { id: replaced.id, outcome: "replaced" };
  }
  const existing = await db.selectFrom("jobs").select(["id", "status"]).where("key", "=", key).executeTakeFirstOrThrow();
  if (!input.replace) return { id: existing.id, outcome: "exists" };
  return { id: existing.id, outcome: existing.status === "running" ? "running" : "done" };
}

/** Removes a job that has not started (or is dead); false when none was (it is running or done). */
export async function deleteWaitingJob(db: Kysely<DB>, key: string): Promise<boolean> {
  const result = await db.deleteFrom("jobs").where("key", "=", key).where("status", "in", ["queued", "dead"]).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Leases up to `limit` due jobs of the given kinds to `runnerId`: waiting jobs whose time
 * has come, and running jobs whose lease expired (their runner died). One UPDATE …
 * RETURNING is one transaction; the claim conditions are repeated outside the subquery so
 * that a row another runner took in the meantime no longer matches. On PostgreSQL the
 * subquery should gain FOR UPDATE SKIP LOCKED so racing runners skip rather than wait.
 */
export async function claimDueJobs(
  db: Kysely<DB>,
  options: { runnerId: string; kinds: readonly string[]; limit: number; leaseMs: number; now?: Date },
): Promise<JobRow[]> {
  if (options.kinds.length === 0 || options.limit <= 0) return [];
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const due = (eb: ExpressionBuilder<DB, "jobs">) =>
    eb.and([
      eb("kind", "in", options.kinds),
      eb.or([
        eb.and([eb("status", "=", "queued"), eb("run_at", "<=", at)]),
        eb.and([eb("status", "=", "running"), eb("locked_until", "<", at), eb("attempts", "<", eb.ref("max_attempts"))]),
      ]),
    ]);
  return db
    .updateTable("jobs")
    .set((eb) => ({
      // Kept for the admin page: this attempt follows one whose runner vanished.
      last_error: eb
        .case()
        .when("status", "=", "running")
        .then("lease expired: the previous runner stopped mid-job")
        .else(eb.ref("last_error"))
        .end(),
      status: "running" as const,
      attempts: eb("attempts", "+", 1),
      locked_by: options.runnerId,
      locked_until: new Date(now.getTime() + options.leaseMs).toISOString(),
      updated_at: at,
    }))
    .where("id", "in", (eb) => eb.selectFrom("jobs").select("id").where(due).orderBy("run_at").limit(options.limit))
    .where(due)
    .returningAll()
    .execute();
}

/**
 * Jobs whose runner died on every one of their attempts are not claimed again (a job that
 * crashes the process would otherwise crash every restart); this marks them dead.
 */
export async function buryAbandonedJobs(db: Kysely<DB>, kinds: readonly string[], now = new Date()): Promise<number> {
  if (kinds.length === 0) return 0;
  const at = now.toISOString();
  const result = await db
    .updateTable("jobs")
    .set({ status: "dead", last_error: "lease expired on the last attempt: its runner stopped mid-job", locked_by: null, locked_until: null, updated_at: at, finished_at: at })
    .where("kind", "in", kinds)
    .where("status", "=", "running")
    .where("locked_until", "<", at)
    .where((eb) => eb("attempts", ">=", eb.ref("max_attempts")))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Conditions that hold only while this runner still owns this attempt of the job. */
function owned(job: JobRow, runnerId: string) {
  return (eb: ExpressionBuilder<DB, "jobs">) =>
    eb.and([eb("id", "=", job.id), eb("status", "=", "running"), eb("locked_by", "=", runnerId), eb("attempts", "=", job.attempts)]);
}

/** Pushes the lease forward; false when the runner no longer owns the job. */
export async function extendLease(db: Kysely<DB>, job: JobRow, runnerId: string, leaseMs: number): Promise<boolean> {
  const now = Date.now();
  const result = await db
    .updateTable("jobs")
    .set({ locked_until: new Date(now + leaseMs).toISOString(), updated_at: new Date(now).toISOString() })
    .where(owned(job, runnerId))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records success; false when the lease was lost first (another runner owns the job now). */
export async function markDone(db: Kysely<DB>, job: JobRow, runnerId: string): Promise<boolean> {
  const at = new Date().toISOString();
  const result = await db
    .updateTable("jobs")
    .set({ status: "done", locked_by: null, locked_until: null, updated_at: at, finished_at: at })
    .where(owned(job, runnerId))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records a failure: back to waiting until `retryAt`, or dead when `retryAt` is null. */
export async function markFailed(
  db: Kysely<DB>,
  job: JobRow,
  runnerId: string,
  error: string,
  retryAt: Date | null,
): Promise<boolean> {
  const at = new Date().toISOString();
  const result = await db
    .updateTable("jobs")
    .set(
      retryAt
        ? { status: "queued", run_at: retryAt.toISOString(), last_error: error, locked_by: null, locked_until: null, updated_at: at }
        : { status: "dead", last_error: error, locked_by: null, locked_until: null, updated_at: at, finished_at: at },
    )
    .where(owned(job, runnerId))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many jobs are in each status (the admin page and the metrics read this). */
export async function countJobsByStatus(db: Kysely<DB>): Promise<Record<JobStatus, number>> {
  const grouped = await db
    .selectFrom("jobs")
    .select((eb) => ["status", eb.fn.countAll<number | bigint>().as("count")])
    .groupBy("status")
    .execute();
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const row of grouped) counts[row.status] = Number(row.count);
  return counts;
}

export type JobListing = { counts: Record<JobStatus, number>; jobs: JobRow[] };

/** For the admin page: jobs of one status (newest change first) and the count of each status. */
export async function listJobs(
  db: Kysely<DB>,
  options: { status?: JobStatus; kind?: string; limit?: number; offset?: number } = {},
): Promise<JobListing> {
  const counts = await countJobsByStatus(db);
  let query = db.selectFrom("jobs").selectAll();
  if (options.status) query = query.where("status", "=", options.status);
  if (options.kind) query = query.where("kind", "=", options.kind);
  const jobs = await query
    .orderBy("updated_at", "desc")
    .orderBy("id")
    .limit(options.limit ?? 50)
    .offset(options.offset ?? 0)
    .execute();
  return { counts, jobs };
}
