/** The audit log: who did what to which record, when, with the record before and after. */
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../db/schema.ts";
import { type Actor, actorUserId } from "./actor.ts";

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
};

export async function recordAudit(db: Kysely<DB> | Transaction<DB>, actor: Actor, ip: string, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      id: randomUUID(),
      at: new Date().toISOString(),
      actor_id: actorUserId(actor),
      actor_kind: actor.kind,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      ip,
    })
    .execute();
}

export async function listAudit(db: Kysely<DB>, filter: { targetId?: string; limit: number; before?: string }) {
  let query = db.selectFrom("audit_log").selectAll().orderBy("at", "desc").orderBy("id").limit(filter.limit);
  if (filter.targetId) query = query.where("target_id", "=", filter.targetId);
  if (filter.before) query = query.where("at", "<", filter.before);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: { id: r.actor_id, kind: r.actor_kind },
    action: r.action,
    target: { type: r.target_type, id: r.target_id },
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
    ip: r.ip,
  }));
}
