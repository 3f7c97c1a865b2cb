import type { Kysely } from "kysely";
import { Gauge, type Registry } from "prom-client";
import type { DB } from "../db/schema.ts";
import { countJobsByStatus } from "./store.ts";

/** `plenary_jobs{status}`, read from the database when Prometheus scrapes, so it is never stale. */
export function registerJobMetrics(registry: Registry, db: Kysely<DB>): void {
  new Gauge({
    name: "plenary_jobs",
    help: "Jobs in the durable queue, by status (queued, running, done, dead)",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      for (const [status, count] of Object.entries(await countJobsByStatus(db))) this.set({ status }, count);
    },
  });
}
