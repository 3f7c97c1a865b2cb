/**
 * Speakers: name, title, photo, bio and links, in the organizer's order. Giving a speaker an
 * e-mail address invites that address (server/invitations); once its owner accepts, signed
 * in with it, the speaker is linked to their account and has speaker rights in the rooms.
 * Until then the organizer sees only the address, never whether an account uses it.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { accessLost } from "../accounts/access-signals.ts";
import { recordAudit } from "../accounts/audit.ts";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { emailSchema } from "../accounts/users.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { createInvitation, openInvitations, revokeInvitation } from "../invitations/invitations.ts";
import { authorizeEvent } from "./access.ts";
import { type EventDeps, publicBase } from "./deps.ts";
import { idParams } from "./fields.ts";
import { imageBodyLimit, imageUploads, removeImage, sendEventImage, storeImage } from "./images.ts";
import { speakerView } from "./queries.ts";

const speakerParams = z.object({ speakerId: z.uuid("Not a valid id") });
const speakerFields = z.strictObject({
  name: z.string().trim().min(1, "Enter a name").max(120, "Use at most 120 characters"),
  title: z.string().trim().max(160),
  bio: z.string().trim().max(5000),
  links: z
    .array(z.strictObject({ label: z.string().trim().min(1).max(60), url: z.url({ protocol: /^https?$/, message: "Use an http or https address" }) }))
    .max(10, "At most 10 links"),
  position: z.number().int().min(0).max(10_000),
  // Invites this address to link its account to the speaker; null unlinks (and withdraws an open invitation).
  userEmail: emailSchema.nullable(),
});
const speakerCreate = speakerFields.partial().required({ name: true });
const speakerPatch = speakerFields.partial();
type SpeakerInput = z.infer<typeof speakerPatch>;

export function speakerRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;

  app.post("/api/organize/events/:id/speakers", { config: { action: "event.update" } }, async (request, reply) => {
    const { id: eventId } = parseBody(idParams, request.params);
    const input = parseBody(speakerCreate, request.body);
    const id = randomUUID();
    const who = { actor: request.actor, ip: request.ip, base: await publicBase(deps, request) };
    const { speaker, deliver } = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.update", eventId);
      const now = new Date().toISOString();
      await trx.insertInto("speakers").values({ id, event_id: eventId, name: input.name, created_at: now, updated_at: now, user_id: null, ...speakerColumns(input) }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.speaker.create", targetType: "event", targetId: eventId, after: { speakerId: id, ...input } });
      const deliver = await inviteSpeaker(trx, deps, who, eventId, id, input.userEmail);
      return { speaker: await loadSpeaker(trx, id), deliver };
    });
    deliver?.();
    return reply.code(201).send({ speaker });
  });

  app.patch("/api/organize/speakers/:speakerId", { config: { action: "event.update" } }, async (request) => {
    const { speakerId } = parseBody(speakerParams, request.params);
    const input = parseBody(speakerPatch, request.body);
    const who = { actor: request.actor, ip: request.ip, base: await publicBase(deps, request) };
    const { speaker, deliver } = await db.transaction().execute(async (trx) => {
      const before = await loadSpeaker(trx, speakerId);
      await authorizeEvent(trx, request.actor, "event.update", before.eventId);
      await trx.updateTable("speakers").set({ ...speakerColumns(input), updated_at: new Date().toISOString() }).where("id", "=", speakerId).execute();
      const deliver = await inviteSpeaker(trx, deps, who, before.eventId, speakerId, input.userEmail);
      const after = await loadSpeaker(trx, speakerId);
      await recordAudit(trx, request.actor, request.ip, { action: "event.speaker.update", targetType: "event", targetId: before.eventId, before, after });
      return { speaker: after, deliver };
    });
    deliver?.();
    return { speaker };
  });

  app.delete("/api/organize/speakers/:speakerId", { config: { action: "event.update" } }, async (request, reply) => {
    const { speakerId } = parseBody(speakerParams, request.params);
    const { photo, before } = await db.transaction().execute(async (trx) => {
      const before = await loadSpeaker(trx, speakerId);
      await authorizeEvent(trx, request.actor, "event.update", before.eventId);
      const { photo_path } = await trx.selectFrom("speakers").select("photo_path").where("id", "=", speakerId).executeTakeFirstOrThrow();
      await trx.deleteFrom("speakers").where("id", "=", speakerId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.speaker.delete", targetType: "event", targetId: before.eventId, before });
      return { photo: photo_path, before };
    });
    if (before.userId) accessLost({ userId: before.userId, eventId: before.eventId, reason: "speaker_removed" });
    await removeImage(deps.config.paths.dataDir, photo);
    return reply.code(204).send();
  });

  imageUploads(app, (scope) => {
    scope.put("/api/organize/speakers/:speakerId/photo", { config: { action: "event.update" }, bodyLimit: imageBodyLimit }, async (request) => {
      const { speakerId } = parseBody(speakerParams, request.params);
      const eventId = await speakerEvent(db, speakerId);
      await authorizeEvent(db, request.actor, "event.update", eventId);
      const stored = await storeImage(deps.config.paths.dataDir, "speakers", speakerId, request.body, "photo");
      const old = await db.transaction().execute(async (trx) => {
        const { photo_path } = await trx.selectFrom("speakers").select("photo_path").where("id", "=", speakerId).executeTakeFirstOrThrow();
        await trx.updateTable("speakers").set({ photo_path: stored, updated_at: new Date().toISOString() }).where("id", "=", speakerId).execute();
        await recordAudit(trx, request.actor, request.ip, { action: "event.speaker.photo", targetType: "event", targetId: eventId, after: { speakerId } });
        return photo_path;
      });
      await removeImage(deps.config.paths.dataDir, old);
      return { speaker: await db.transaction().execute((trx) => loadSpeaker(trx, speakerId)) };
    });
  });

  app.get("/api/images/speakers/:speakerId", { config: { action: "event.image.read" } }, async (request, reply) => {
    const { speakerId } = parseBody(speakerParams, request.params);
    const row = await db.selectFrom("speakers").select(["photo_path", "event_id"]).where("id", "=", speakerId).executeTakeFirst();
    if (!row) throw AppError.notFound("No image");
    return sendEventImage(reply, db, request, deps.config.paths.dataDir, row.event_id, row.photo_path);
  });
}

async function speakerEvent(db: EventDeps["db"], speakerId: string): Promise<string> {
  const row = await db.selectFrom("speakers").select("event_id").where("id", "=", speakerId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such speaker");
  return row.event_id;
}

function speakerColumns(p: SpeakerInput) {
  const c: Record<string, unknown> = {};
  for (const key of ["name", "title", "bio", "position"] as const) if (p[key] !== undefined) c[key] = p[key];
  if (p.links !== undefined) c.links = JSON.stringify(p.links);
  return c;
}

/**
 * Follows the organizer's `userEmail`: the same address as the linked account or the open
 * invitation changes nothing (the form sends it with every save); another address unlinks
 * the speaker and invites it; null unlinks and withdraws. Returns the mail's deliver step.
 */
async function inviteSpeaker(
  trx: Transaction<DB>, deps: EventDeps, who: { actor: Actor; ip: string; base: string }, eventId: string, speakerId: string, email: string | null | undefined,
): Promise<(() => void) | null> {
  if (email === undefined) return null;
  const linked = await trx.selectFrom("speakers").leftJoin("users", "users.id", "speakers.user_id").select("users.email").where("speakers.id", "=", speakerId).executeTakeFirstOrThrow();
  const open = await openInvitations(trx).where("kind", "=", "speaker").where("speaker_id", "=", speakerId).executeTakeFirst();
  if (email !== null && (linked.email === email || open?.email === email)) return null;
  if (linked.email !== null) await trx.updateTable("speakers").set({ user_id: null }).where("id", "=", speakerId).execute();
  if (email === null) {
    if (open) await revokeInvitation(trx, open, who);
    return null;
  }
  const { deliver } = await createInvitation(trx, deps.mailer, {
    target: { kind: "speaker", eventId, speakerId }, email, actor: who.actor, inviterId: actorUserId(who.actor), ip: who.ip, base: who.base,
  });
  return deliver;
}

async function loadSpeaker(trx: Transaction<DB>, id: string) {
  const row = await trx.selectFrom("speakers").leftJoin("users", "users.id", "speakers.user_id").selectAll("speakers").select("users.email as user_email")
    .where("speakers.id", "=", id).executeTakeFirst();
  if (!row) throw AppError.notFound("No such speaker");
  const invitation = await openInvitations(trx).where("kind", "=", "speaker").where("speaker_id", "=", id).executeTakeFirst();
  return speakerView(row, row.user_email, invitation);
}
