/**
 * Runs due jobs from the database. Domain modules define the kinds they handle (mail
 * delivery, reminders, uploads); the runner claims due jobs of those kinds with a lease,
 * renews the lease while a handler runs, retries failures with backoff and marks a job
 * dead after its last attempt. A runner only claims kinds it has handlers for, so servers
 * of different versions (or a test's own runner) can share one database.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { z } from "zod";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import { retryDelayMs } from "./backoff.ts";
import {
  buryAbandonedJobs, claimDueJobs, type EnqueueInput, type EnqueueOutcome, extendLease, insertJob, type JobRow,
  markDone, markFailed, deleteWaitingJob,
} from "./store.ts";

export type JobContext = {
  id: string;
  kind: string;
  key: string | null;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the lease is lost (another runner owns the job now): stop side effects. */
  signal: AbortSignal;
  log: Logger;
};

export type JobKind<S extends z.ZodType = z.ZodType> = {
  /** The payload, checked when the job runs; a payload that fails it kills the job at once. */
  schema: S;
  /** Resolves when done; throws to retry (or JobFailure.permanent to give up at once). */
  handle(payload: z.infer<S>, context: JobContext): Promise<void>;
  /** Default: jobs.max_attempts. */
  maxAttempts?: number;
};

/** A failure that retrying cannot fix (the user is gone, the payload is wrong). */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean, options?: ErrorOptions) {
    super(message, options);
    this.permanent = permanent;
  }
  static permanent(message: string, options?: ErrorOptions): JobFailure {
    return new JobFailure(message, true, options);
  }
}

export type JobRunnerOptions = {
  db: Kysely<DB>;
  config: Config["jobs"];
  log: Logger;
  /** Names this runner in leases; default a random UUID per process start. */
  runnerId?: string;
  /** For tests of jitter; default Math.random. */
  random?: () => number;
};

export class JobRunner {
  readonly runnerId: string;
  readonly #db: Kysely<DB>;
  readonly #config: Config["jobs"];
  readonly #log: Logger;
  readonly #random: () => number;
  // Handlers by kind.
  readonly #kinds = new Map<string, JobKind>();
  // Jobs being run, so stop() can wait for them.
  readonly #running = new Set<Promise<void>>();
  // The next poll.
  #timer: NodeJS.Timeout | undefined;
  // A poll is claiming; a wake during it asks for another right after.
  #polling: Promise<void> | undefined;
  #pollAgain = false;
  #started = false;
  #stopping: Promise<void> | undefined;

  constructor(options: JobRunnerOptions) {
    this.#db = options.db;
    this.#config = options.config;
    this.#log = options.log;
    this.#random = options.random ?? Math.random;
    this.runnerId = options.runnerId ?? randomUUID();
  }

  define<S extends z.ZodType>(kind: string, definition: JobKind<S>): this {
    if (this.#kinds.has(kind)) throw new Error(`job kind ${kind} is defined twice`);
    this.#kinds.set(kind, definition as unknown as JobKind);
    return this;
  }

  get kinds(): string[] {
    return [...this.#kinds.keys()];
  }

  /** Jobs running right now. */
  get busy(): number {
    return this.#running.size;
  }

  /**
   * Adds a job (see EnqueueInput for keys and re-planning) and wakes the runner when it
   * is due now. Kinds need not be defined here: another process may run them. `db` may be
   * a transaction of the caller's, so the job commits with the caller's rows.
   */
  async enqueue(input: EnqueueInput, db: Kysely<DB> = this.#db): Promise<{ id: string; outcome: EnqueueOutcome }> {
    const maxAttempts = input.maxAttempts ?? this.#kinds.get(input.kind)?.maxAttempts ?? this.#config.max_attempts;
    const result = await insertJob(db, { ...input, maxAttempts });
    if (result.outcome === "created" || result.outcome === "replaced") this.wake();
    return result;
  }

  /** Cancels a job that has not started; false when it is running, done or unknown. */
  cancel(key: string, db: Kysely<DB> = this.#db): Promise<boolean> {
    return deleteWaitingJob(db, key);
  }

  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Looks for due jobs now instead of at the next poll. */
  wake(): void {
    if (this.#started && !this.#stopping) this.#schedule(0);
  }

  /** Claims nothing more and waits for the jobs that are running to finish. Safe to call twice. */
  stop(): Promise<void> {
    return (this.#stopping ??= (async () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#polling;
      await Promise.allSettled([...this.#running]);
    })());
  }

  #schedule(delayMs: number) {
    if (this.#stopping) return;
    if (this.#polling) {
      if (delayMs === 0) this.#pollAgain = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#poll(), delayMs);
    // The HTTP server keeps the process alive; the runner alone should not.
    this.#timer.unref();
  }

  async #poll() {
    this.#timer = undefined;
    this.#pollAgain = false;
    let claimed = 0;
    let free = 0;
    this.#polling = (async () => {
      free = this.#config.concurrency - this.#running.size;
      if (free <= 0 || this.#kinds.size === 0) return;
      const buried = await buryAbandonedJobs(this.#db, this.kinds);
      if (buried > 0) this.#log.warn({ buried }, "jobs marked dead: their runner stopped mid-job on the last attempt");
      const jobs = await claimDueJobs(this.#db, {
        runnerId: this.runnerId, kinds: this.kinds, limit: free, leaseMs: this.#config.lease_ms,
      });
      claimed = jobs.length;
      for (const job of jobs) {
        const run = this.#run(job).finally(() => {
          this.#running.delete(run);
          this.wake();
        });
        this.#running.add(run);
      }
    })().catch((error: unknown) => this.#log.error({ err: error }, "job poll failed"));
    await this.#polling;
    this.#polling = undefined;
    // A full claim means more may be due; otherwise wait for the next poll or a wake.
    this.#schedule(this.#pollAgain || (claimed > 0 && claimed === free) ? 0 : this.#config.poll_interval_ms);
  }

  async #run(job: JobRow) {
    const log = this.#log.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    const kind = this.#kinds.get(job.kind)!;
    const lease = new AbortController();
    // Renewed well before it ends, so a slow handler keeps its job.
    const renew = setInterval(() => {
      extendLease(this.#db, job, this.runnerId, this.#config.lease_ms).then(
        (owned) => owned || lease.abort(new Error("lease lost")),
        (error: unknown) => log.warn({ err: error }, "job lease renewal failed"),
      );
    }, Math.max(50, Math.floor(this.#config.lease_ms / 3)));
    try {
      const parsed = kind.schema.safeParse(JSON.parse(job.payload));
      if (!parsed.success) throw JobFailure.permanent(`invalid payload: ${parsed.error.message}`);
      await kind.handle(parsed.data, {
        id: job.id, kind: job.kind, key: job.key, attempt: job.attempts, maxAttempts: job.max_attempts,
        signal: lease.signal, log,
      });
      if (!(await markDone(this.#db, job, this.runnerId))) {
        log.warn("job finished after its lease was lost; the runner that holds it now decides");
      }
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 2_000);
      const permanent = error instanceof JobFailure && error.permanent;
      const retryAt =
        !permanent && job.attempts < job.max_attempts
          ? new Date(Date.now() + retryDelayMs(job.attempts, this.#config.retry_base_ms, this.#config.retry_max_ms, this.#random))
          : null;
      log.warn({ err: error, retryAt }, retryAt ? "job failed; will retry" : "job failed for good");
      await markFailed(this.#db, job, this.runnerId, message, retryAt).catch((e: unknown) =>
        log.error({ err: e }, "could not record a job failure; its lease will expire and it will run again"),
      );
    } finally {
      clearInterval(renew);
    }
  }
}
