/**
 * The agenda: sessions with their times, track, capacity, live room and recording switches,
 * lobby mode and room limits, their speakers, and which ticket types admit to them (no
 * ticket_type_sessions rows: every ticket type does). A new or moved session is announced to
 * `deps.sessionRescheduled` once committed, so its reminders follow the new time.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { recordAudit } from "../accounts/audit.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { authorizeEvent, eventIdOfSession } from "./access.ts";
import type { EventDeps } from "./deps.ts";
import { editableEvent } from "./store.ts";
import { idParams, instant } from "./fields.ts";
import { sessionView } from "./queries.ts";

const sessionParams = z.object({ sessionId: z.uuid("Not a valid id") });
const limit = (max: number) => z.number().int().min(1).max(max).nullable();
const sessionFields = z.strictObject({
  title: z.string().trim().min(2, "Use at least 2 characters").max(140, "Use at most 140 characters"),
  description: z.string().max(5000),
  startsAt: instant,
  endsAt: instant,
  track: z.string().trim().max(60),
  capacity: limit(1_000_000),
  liveRoom: z.boolean(),
  recording: z.boolean(),
  lobbyMode: z.enum(["ticket_holders", "knock"]),
  maxPeers: limit(100_000),
  maxPublishers: limit(1000),
  speakerIds: z.array(z.uuid()).max(50),
  ticketTypeIds: z.array(z.uuid()).max(100),
});
const sessionCreate = sessionFields.partial().required({ title: true, startsAt: true, endsAt: true });
const sessionPatch = sessionFields.partial();
type SessionInput = z.infer<typeof sessionPatch>;

export function agendaRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;
  const rescheduled = async (sessionId: string) => deps.sessionRescheduled?.(sessionId);

  app.post("/api/organize/events/:id/sessions", { config: { action: "event.update" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    const input = parseBody(sessionCreate, request.body);
    const id = randomUUID();
    const session = await db.transaction().execute(async (trx) => {
      await editableEvent(trx, request.actor, eventId);
      const now = new Date().toISOString();
      await trx.insertInto("event_sessions").values({ id, event_id: eventId, created_at: now, updated_at: now, ...sessionColumns(input) } as never).execute();
      await checkTimes(trx, id);
      await setLinks(trx, eventId, id, input);
      await recordAudit(trx, request.actor, request.ip, { action: "event.session.create", targetType: "event", targetId: eventId, after: { sessionId: id, ...input } });
      return loadSession(trx, id);
    });
    await rescheduled(id);
    return reply.code(201).send({ session });
  });

  app.patch("/api/organize/sessions/:sessionId", { config: { action: "event.update" } }, async (request) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    const input = parseBody(sessionPatch, request.body);
    let moved = false;
    const session = await db.transaction().execute(async (trx) => {
      const eventId = await eventIdOfSession(trx, sessionId);
      await editableEvent(trx, request.actor, eventId);
      const before = await loadSession(trx, sessionId);
      const columns = sessionColumns(input);
      if (Object.keys(columns).length > 0) {
        await trx.updateTable("event_sessions").set({ ...columns, updated_at: new Date().toISOString() }).where("id", "=", sessionId).execute();
      }
      await checkTimes(trx, sessionId);
      await setLinks(trx, eventId, sessionId, input);
      const after = await loadSession(trx, sessionId);
      moved = before.startsAt !== after.startsAt || before.endsAt !== after.endsAt;
      await recordAudit(trx, request.actor, request.ip, { action: "event.session.update", targetType: "event", targetId: eventId, before, after });
      return after;
    });
    if (moved) await rescheduled(sessionId);
    return { session };
  });

  app.delete("/api/organize/sessions/:sessionId", { config: { action: "event.update" } }, async (request, reply) => {
    const { sessionId } = parseBody(sessionParams, request.params);
    await db.transaction().execute(async (trx) => {
      const eventId = await eventIdOfSession(trx, sessionId);
      await authorizeEvent(trx, request.actor, "event.update", eventId);
      const before = await loadSession(trx, sessionId);
      await trx.deleteFrom("event_sessions").where("id", "=", sessionId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.session.delete", targetType: "event", targetId: eventId, before });
    });
    await rescheduled(sessionId);
    return reply.code(204).send();
  });
}

function sessionColumns(p: SessionInput): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  const map: [keyof SessionInput, string, ((v: never) => unknown)?][] = [
    ["title", "title"], ["description", "description"], ["startsAt", "starts_at"], ["endsAt", "ends_at"], ["track", "track"],
    ["capacity", "capacity"], ["liveRoom", "live_room", (v: boolean) => (v ? 1 : 0)], ["recording", "recording", (v: boolean) => (v ? 1 : 0)],
    ["lobbyMode", "lobby_mode"], ["maxPeers", "max_peers"], ["maxPublishers", "max_publishers"],
  ];
  for (const [key, column, convert] of map) if (p[key] !== undefined) c[column] = convert ? convert(p[key] as never) : p[key];
  return c;
}

async function checkTimes(trx: Transaction<DB>, sessionId: string) {
  const s = await trx.selectFrom("event_sessions").select(["starts_at", "ends_at", "max_peers", "max_publishers"]).where("id", "=", sessionId).executeTakeFirstOrThrow();
  if (s.ends_at <= s.starts_at) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "endsAt", message: "The end must come after the start" }]);
  if (s.max_peers !== null && s.max_publishers !== null && s.max_publishers > s.max_peers) {
    throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "maxPublishers", message: "Cannot exceed the room's peers" }]);
  }
}

/** Replaces the session's speakers and ticket types when the input names them; each must belong to the event. */
async function setLinks(trx: Transaction<DB>, eventId: string, sessionId: string, input: SessionInput) {
  if (input.speakerIds) {
    const ids = [...new Set(input.speakerIds)];
    await ownedBy(trx, "speakers", eventId, ids, "speakerIds");
    await trx.deleteFrom("session_speakers").where("session_id", "=", sessionId).execute();
    if (ids.length > 0) await trx.insertInto("session_speakers").values(ids.map((speaker_id) => ({ session_id: sessionId, speaker_id }))).execute();
  }
  if (input.ticketTypeIds) {
    const ids = [...new Set(input.ticketTypeIds)];
    await ownedBy(trx, "ticket_types", eventId, ids, "ticketTypeIds");
    await keepTypesLimited(trx, sessionId, ids);
    await trx.deleteFrom("ticket_type_sessions").where("session_id", "=", sessionId).execute();
    if (ids.length > 0) await trx.insertInto("ticket_type_sessions").values(ids.map((ticket_type_id) => ({ session_id: sessionId, ticket_type_id }))).execute();
  }
}

/**
 * A ticket type with no session rows grants every session, so taking away a type's last
 * session here would silently open all of them to it: that is refused.
 */
async function keepTypesLimited(trx: Transaction<DB>, sessionId: string, kept: string[]) {
  const current = await trx.selectFrom("ticket_type_sessions").select("ticket_type_id").where("session_id", "=", sessionId).execute();
  const removed = current.map((r) => r.ticket_type_id).filter((id) => !kept.includes(id));
  if (removed.length === 0) return;
  const elsewhere = await trx.selectFrom("ticket_type_sessions").select("ticket_type_id").distinct()
    .where("ticket_type_id", "in", removed).where("session_id", "!=", sessionId).execute();
  const orphaned = removed.filter((id) => !elsewhere.some((r) => r.ticket_type_id === id));
  if (orphaned.length > 0) {
    throw new AppError("validation_failed", 400, "Some fields are not valid", [
      { path: "ticketTypeIds", message: "A ticket type needs at least one session, or none at all for every session; change it on the Tickets tab" },
    ]);
  }
}

async function ownedBy(trx: Transaction<DB>, table: "speakers" | "ticket_types", eventId: string, ids: string[], path: string) {
  if (ids.length === 0) return;
  const found = await trx.selectFrom(table).select("id").where("event_id", "=", eventId).where("id", "in", ids).execute();
  if (found.length !== ids.length) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path, message: "Not all of these belong to this event" }]);
}

async function loadSession(trx: Transaction<DB>, id: string) {
  const s = await trx.selectFrom("event_sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const [speakers, types] = await Promise.all([
    trx.selectFrom("session_speakers").select("speaker_id").where("session_id", "=", id).execute(),
    trx.selectFrom("ticket_type_sessions").select("ticket_type_id").where("session_id", "=", id).execute(),
  ]);
  return sessionView(s, speakers.map((r) => r.speaker_id), types.map((r) => r.ticket_type_id));
}
