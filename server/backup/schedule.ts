/**
 * Scheduled backups ([backup] every, keep): the same backup as `plenary backup`, into
 * `<data dir>/backups/scheduled-<time>`, run by the durable job queue so that with several
 * servers on one database exactly one of them makes each backup. Runs fall on fixed slots
 * (multiples of `every` since the Unix epoch, so "6h" means 00:00, 06:00, 12:00 and 18:00
 * UTC) and the job's key is its slot: servers that start at different times plan the same job.
 */
import { Worker } from "node:worker_threads";
import { type Kysely } from "kysely";
import { z } from "zod";
import type { LoadedConfig } from "../config/index.ts";
import { durationMs } from "../config/duration.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import { type BackupSummary, latestBackup, pruneScheduledBackups, scheduledBackupDir } from "./catalog.ts";

export const BACKUP_JOB = "backup.run";

export type BackupStatus = {
  /** [backup] every: "off" or a duration. */
  every: string;
  last: Pick<BackupSummary, "dir" | "createdAt" | "bytes"> | null;
  /** When the next scheduled (or requested) backup is due; null when none is planned. */
  next: string | null;
  /** Why the last attempt on this server failed, if it did. */
  lastError: string | null;
};

export class BackupSchedule {
  readonly #config: LoadedConfig;
  readonly #db: Kysely<DB>;
  readonly #jobs: JobRunner;
  readonly #log: Logger;
  // Milliseconds between scheduled backups; null when off.
  readonly #everyMs: number | null;
  // The message of this server's last failed attempt.
  #lastError: string | null = null;

  constructor(options: { config: LoadedConfig; db: Kysely<DB>; jobs: JobRunner; log: Logger }) {
    this.#config = options.config;
    this.#db = options.db;
    this.#jobs = options.jobs;
    this.#log = options.log.child({ module: "backup" });
    this.#everyMs = durationMs(options.config.backup.every);
    // Defined even when off: "Back up now" on the admin page uses the same job.
    this.#jobs.define(BACKUP_JOB, {
      schema: z.object({ scheduled: z.boolean() }),
      maxAttempts: 3,
      handle: async ({ scheduled }) => {
        try {
          await this.#run();
        } finally {
          if (scheduled) await this.#planNext();
        }
      },
    });
  }

  /** Plans the next scheduled backup (a no-op when another server already did). */
  async start(): Promise<void> {
    await this.#planNext();
  }

  /** Asks for a backup now; whichever server's runner is free makes it. */
  async requestNow(): Promise<void> {
    await this.#jobs.enqueue({ kind: BACKUP_JOB, payload: { scheduled: false }, key: `backup:now:${new Date().toISOString()}` });
  }

  async status(): Promise<BackupStatus> {
    const last = latestBackup(this.#config.paths);
    const next = await this.#db
      .selectFrom("jobs").select("run_at")
      .where("kind", "=", BACKUP_JOB).where("status", "in", ["queued", "running"])
      .orderBy("run_at").limit(1).executeTakeFirst();
    return {
      every: this.#config.backup.every,
      last: last && { dir: last.dir, createdAt: last.createdAt, bytes: last.bytes },
      next: next?.run_at ?? null,
      lastError: this.#lastError,
    };
  }

  async #planNext(): Promise<void> {
    if (this.#everyMs === null) return;
    const slot = new Date(Math.floor(Date.now() / this.#everyMs + 1) * this.#everyMs);
    await this.#jobs.enqueue({ kind: BACKUP_JOB, payload: { scheduled: true }, runAt: slot, key: `backup:${slot.toISOString()}` });
  }

  async #run(): Promise<void> {
    const target = scheduledBackupDir(this.#config.paths);
    const result = await backupInWorker(this.#config.paths, target);
    if (!result.ok) {
      this.#lastError = result.message;
      this.#log.error({ target, reason: result.message }, "scheduled backup failed");
      throw new Error(result.message);
    }
    this.#lastError = null;
    const removed = pruneScheduledBackups(this.#config.paths, this.#config.backup.keep);
    this.#log.info({ target, bytes: result.bytes, removed }, "backup written");
  }
}

type WorkerResult = { ok: true; createdAt: string; bytes: number } | { ok: false; message: string };

function backupInWorker(paths: LoadedConfig["paths"], target: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./backup-worker.ts", import.meta.url), { workerData: { paths, target } });
    worker.once("message", (result: WorkerResult) => resolve(result));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`backup worker exited with ${code}`)));
  });
}
