/**
 * The database's health while the server runs: damaged (found by the periodic quick_check
 * or by a query that failed with SQLITE_CORRUPT) and free disk space where the file lives.
 * Both show on /readyz; guard.ts turns them into refusals at the HTTP boundary.
 *
 * A damaged database found while running does not stop the process: reads still work and an
 * administrator can look around. /readyz fails (a load balancer or monitor notices), the
 * error is logged with the way out, and every write is refused so nothing more goes into the
 * damaged file.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Paths } from "../backup/backup.ts";
import type { Config } from "../config/index.ts";
import { freeBytes } from "../disk-space.ts";
import { durationMs } from "../config/duration.ts";
import type { Logger } from "../log.ts";
import { damagedMessage } from "./integrity.ts";

/** How often free disk space is read; a checkout writes kilobytes, so a few seconds is plenty. */
const DISK_POLL_MS = 5_000;
const MIB = 1_048_576;

export type DatabaseHealthOptions = {
  paths: Paths;
  config: Config["database"];
  log: Logger;
};

export class DatabaseHealth {
  readonly #options: DatabaseHealthOptions;
  // What SQLite reported when the file was found damaged; null while sound.
  #damaged: string | null = null;
  // Free bytes on the database's file system at the last look; null before the first.
  #freeBytes: number | null = null;
  // The periodic quick_check and the disk poll.
  #timers: NodeJS.Timeout[] = [];
  // A quick_check worker is running.
  #checking: Promise<void> | undefined;
  #closed = false;

  constructor(options: DatabaseHealthOptions) {
    this.#options = options;
  }

  /** Reads free space once (so the first request already knows) and starts the timers. */
  async start(): Promise<void> {
    await this.refreshDisk();
    const disk = setInterval(() => void this.refreshDisk(), DISK_POLL_MS);
    disk.unref();
    this.#timers.push(disk);
    const every = durationMs(this.#options.config.check_every);
    if (every !== null) {
      const check = setInterval(() => void this.check(), every);
      check.unref();
      this.#timers.push(check);
    }
  }

  /** What was found wrong with the file, or null. */
  get damaged(): string | null {
    return this.#damaged;
  }

  /** Free space is below database.min_free_mb. */
  get diskLow(): boolean {
    return this.#freeBytes !== null && this.#freeBytes < this.#options.config.min_free_mb * MIB;
  }

  /** Records the damage once, loudly, with the way out. */
  markDamaged(detail: string): void {
    if (this.#damaged !== null) return;
    this.#damaged = detail;
    this.#options.log.fatal(
      { file: this.#options.paths.database, detail },
      `database damaged: writes refused and /readyz failing. ${damagedMessage(this.#options.paths, detail)}`,
    );
  }

  /** Runs PRAGMA quick_check in a worker thread; a problem marks the database damaged. */
  check(): Promise<void> {
    return (this.#checking ??= quickCheckInWorker(this.#options.paths.database)
      .then(
        (result) => {
          if (result !== "ok") this.markDamaged(result);
        },
        (error: unknown) => this.#options.log.error({ err: error }, "database check could not run"),
      )
      .finally(() => {
        this.#checking = undefined;
      }));
  }

  async refreshDisk(): Promise<number | null> {
    try {
      const free = await freeBytes(path.dirname(this.#options.paths.database));
      const wasLow = this.diskLow;
      this.#freeBytes = free;
      if (this.diskLow && !wasLow) this.#options.log.error({ freeMb: Math.floor(this.#freeBytes / MIB), minFreeMb: this.#options.config.min_free_mb }, "low on disk space where the database lives: new orders are refused");
      if (!this.diskLow && wasLow) this.#options.log.info({ freeMb: Math.floor(this.#freeBytes / MIB) }, "disk space back above database.min_free_mb: orders taken again");
    } catch (error) {
      this.#options.log.warn({ err: error }, "cannot read free disk space");
    }
    return this.#freeBytes;
  }

  /** For /readyz. */
  integrityReadiness(): string {
    return this.#damaged === null ? "ok" : `failing: database damaged (${this.#damaged}); run plenary restore, see the log`;
  }

  /** For /readyz: reads free space now. */
  async diskReadiness(): Promise<string> {
    const free = await this.refreshDisk();
    if (free === null) return "failing: free disk space unknown";
    return this.diskLow
      ? `failing: ${Math.floor(free / MIB)} MiB free where the database lives, below database.min_free_mb = ${this.#options.config.min_free_mb}; ticket sales paused`
      : "ok";
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#checking;
  }
}

function quickCheckInWorker(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./quick-check-worker.ts", import.meta.url), { workerData: { file } });
    worker.once("message", (result: string) => resolve(result));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`quick_check worker exited with ${code}`)));
  });
}
