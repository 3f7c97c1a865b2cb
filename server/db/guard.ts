/**
 * The HTTP side of DatabaseHealth: refuses writes while the database is damaged, refuses new
 * orders while the disk is low (before SQLite would fail in the middle of a checkout), and
 * marks the database damaged when any request's query failed with SQLITE_CORRUPT.
 */
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.ts";
import type { DatabaseHealth } from "./health.ts";
import { isCorruption } from "./integrity.ts";

/** Methods that do not write. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Actions (server/accounts/policy.ts) that create an order or a claim on seats. */
const ORDER_ACTIONS = new Set(["checkout.create", "checkout.guest", "waitlist.join"]);

export function guardDatabaseWrites(app: FastifyInstance, health: DatabaseHealth): void {
  app.addHook("onRequest", async (request, reply) => {
    if (READS.has(request.method) || !request.url.startsWith("/api/")) return;
    if (health.damaged !== null) {
      reply.header("retry-after", "3600");
      throw new AppError("database_damaged", 503, "Nothing can be saved right now: the server's database needs repair by an administrator. Please try again later.");
    }
    if (health.diskLow && ORDER_ACTIONS.has(request.routeOptions.config?.action ?? "")) {
      reply.header("retry-after", "300");
      throw new AppError("sales_paused_low_disk", 503, "Ticket sales are paused: the server is low on disk space");
    }
  });
  app.addHook("onError", async (_request, _reply, error) => {
    if (isCorruption(error)) health.markDamaged(error.message);
  });
}
