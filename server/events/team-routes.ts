/**
 * The event team. The creator is its first owner; owners and co-hosts invite people by
 * e-mail into co-host, moderator or check-in staff (a single-use link, valid 7 days, that
 * the invited address accepts while logged in), change roles and remove members. Only owners
 * (or organization admins) make or unmake owners, and an event always keeps one.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { accessLost } from "../accounts/access-signals.ts";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { emailSchema, requireUser } from "../accounts/users.ts";
import type { DB, EventTeamRoleColumn } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { authorizeEvent, type EventResource } from "./access.ts";
import { type EventDeps, publicBase } from "./deps.ts";
import { eventRow } from "./store.ts";
import { idParams } from "./fields.ts";

const INVITE_DAYS = 7;
const ROLE_NAMES: Record<EventTeamRoleColumn, string> = { owner: "owner", co_host: "co-host", moderator: "moderator", check_in_staff: "check-in staff" };
const memberParams = idParams.extend({ userId: z.uuid("Not a valid id") });
const inviteParams = idParams.extend({ inviteId: z.uuid("Not a valid id") });
const inviteInput = z.strictObject({ email: emailSchema, role: z.enum(["co_host", "moderator", "check_in_staff"]) });
const roleInput = z.strictObject({ role: z.enum(["owner", "co_host", "moderator", "check_in_staff"]) });
const acceptInput = z.strictObject({ token: z.string().min(20).max(200) });

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const mayManageOwners = (r: EventResource, isAdmin: boolean) =>
  isAdmin || r.teamRole === "owner" || r.organizationRole === "owner" || r.organizationRole === "admin";

export function teamRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;
  const isAdmin = (kind: string) => kind === "admin";

  app.post("/api/organize/events/:id/team/invites", { config: { action: "event.team.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(inviteInput, request.body);
    const token = randomBytes(32).toString("base64url");
    const { event, inviter } = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.team.manage", id);
      const member = await trx.selectFrom("event_team").innerJoin("users", "users.id", "event_team.user_id").select("event_team.role")
        .where("event_id", "=", id).where("users.email", "=", input.email).executeTakeFirst();
      if (member) throw AppError.conflict("already_member", `This person is already on the team as ${ROLE_NAMES[member.role]}`);
      const now = new Date();
      await trx.deleteFrom("event_team_invites").where("event_id", "=", id).where("email", "=", input.email).where("accepted_at", "is", null).execute();
      await trx.insertInto("event_team_invites").values({
        id: randomUUID(), event_id: id, email: input.email, role: input.role, token_hash: hashToken(token), invited_by: actorUserId(request.actor),
        created_at: now.toISOString(), expires_at: new Date(now.getTime() + INVITE_DAYS * 86_400_000).toISOString(),
      }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.team.invite", targetType: "event", targetId: id, after: input });
      return { event: await eventRow(trx, id), inviter: await requireUser(trx, actorUserId(request.actor)!) };
    });
    const link = `${await publicBase(deps, request)}/organize/invites/accept?token=${token}`;
    await deps.mailer.send(input.email, "event_team_invite", { eventTitle: event.title, inviterName: inviter.display_name, role: ROLE_NAMES[input.role], link, days: INVITE_DAYS });
    return reply.code(201).send({ invite: { email: input.email, role: input.role } });
  });

  app.delete("/api/organize/events/:id/team/invites/:inviteId", { config: { action: "event.team.manage" } }, async (request, reply) => {
    const { id, inviteId } = parseBody(inviteParams, request.params);
    await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.team.manage", id);
      const invite = await trx.selectFrom("event_team_invites").select(["email", "role"]).where("id", "=", inviteId).where("event_id", "=", id).executeTakeFirst();
      if (!invite) throw AppError.notFound("No such invitation");
      await trx.deleteFrom("event_team_invites").where("id", "=", inviteId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.team.uninvite", targetType: "event", targetId: id, before: invite });
    });
    return reply.code(204).send();
  });

  app.post("/api/organize/team-invites/accept", { config: { action: "event.team.accept" } }, async (request) => {
    const { token } = parseBody(acceptInput, request.body);
    return db.transaction().execute(async (trx) => {
      const invite = await trx.selectFrom("event_team_invites").selectAll().where("token_hash", "=", hashToken(token)).executeTakeFirst();
      if (!invite || invite.accepted_at !== null || invite.expires_at <= new Date().toISOString()) {
        throw AppError.notFound("This invitation link has expired or was already used; ask for a new one");
      }
      const user = await requireUser(trx, actorUserId(request.actor)!);
      if (user.email !== invite.email) throw AppError.forbidden("wrong_account", `This invitation is for ${invite.email}; log in with that address to accept it`);
      const now = new Date().toISOString();
      const current = await trx.selectFrom("event_team").select("role").where("event_id", "=", invite.event_id).where("user_id", "=", user.id).executeTakeFirst();
      if (!current) {
        await trx.insertInto("event_team").values({ event_id: invite.event_id, user_id: user.id, role: invite.role, added_by: invite.invited_by, created_at: now }).execute();
      }
      await trx.updateTable("event_team_invites").set({ accepted_at: now }).where("id", "=", invite.id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.team.join", targetType: "event", targetId: invite.event_id, after: { userId: user.id, role: current?.role ?? invite.role } });
      const event = await eventRow(trx, invite.event_id);
      return { event: { id: event.id, title: event.title }, role: current?.role ?? invite.role };
    });
  });

  app.patch("/api/organize/events/:id/team/:userId", { config: { action: "event.team.manage" } }, async (request) => {
    const { id, userId } = parseBody(memberParams, request.params);
    const { role } = parseBody(roleInput, request.body);
    await db.transaction().execute(async (trx) => {
      const resource = await authorizeEvent(trx, request.actor, "event.team.manage", id);
      const current = await memberRole(trx, id, userId);
      if ((role === "owner" || current === "owner") && !mayManageOwners(resource, isAdmin(request.actor.kind))) {
        throw AppError.forbidden("forbidden", "Only an owner can add or change owners");
      }
      if (current === "owner" && role !== "owner") await keepAnOwner(trx, id, userId);
      await trx.updateTable("event_team").set({ role }).where("event_id", "=", id).where("user_id", "=", userId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.team.role", targetType: "event", targetId: id, before: { userId, role: current }, after: { userId, role } });
    });
    // A lower role may read less (a moderator made check-in staff leaves backstage).
    accessLost({ userId, eventId: id, reason: "team_role_changed" });
    return { member: { userId, role } };
  });

  app.delete("/api/organize/events/:id/team/:userId", { config: { action: "event.team.manage" } }, async (request, reply) => {
    const { id, userId } = parseBody(memberParams, request.params);
    await db.transaction().execute(async (trx) => {
      // Anyone may leave; removing someone else needs the manage role.
      const leaving = userId === actorUserId(request.actor);
      const resource = leaving ? null : await authorizeEvent(trx, request.actor, "event.team.manage", id);
      const current = await memberRole(trx, id, userId);
      if (current === "owner" && resource && !mayManageOwners(resource, isAdmin(request.actor.kind))) {
        throw AppError.forbidden("forbidden", "Only an owner can remove an owner");
      }
      if (current === "owner") await keepAnOwner(trx, id, userId);
      await trx.deleteFrom("event_team").where("event_id", "=", id).where("user_id", "=", userId).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "event.team.remove", targetType: "event", targetId: id, before: { userId, role: current } });
    });
    accessLost({ userId, eventId: id, reason: "team_removed" });
    return reply.code(204).send();
  });
}

async function memberRole(trx: Transaction<DB>, eventId: string, userId: string): Promise<EventTeamRoleColumn> {
  const row = await trx.selectFrom("event_team").select("role").where("event_id", "=", eventId).where("user_id", "=", userId).executeTakeFirst();
  if (!row) throw AppError.notFound("Not on this event's team");
  return row.role;
}

async function keepAnOwner(trx: Transaction<DB>, eventId: string, leaving: string) {
  const other = await trx.selectFrom("event_team").select("user_id").where("event_id", "=", eventId).where("role", "=", "owner").where("user_id", "!=", leaving).limit(1).executeTakeFirst();
  if (!other) throw AppError.conflict("last_owner", "An event needs an owner; make someone else owner first");
}
