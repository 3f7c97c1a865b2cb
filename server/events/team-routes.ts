/**
 * The event team. The creator is its first owner; owners and co-hosts invite people by
 * e-mail into co-host, moderator or check-in staff (server/invitations: a single-use link
 * that the invited address accepts while logged in), change roles and remove members. Only owners
 * (or organization admins) make or unmake owners, and an event always keeps one.
 */
import type { FastifyInstance } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { accessLost } from "../accounts/access-signals.ts";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { emailSchema } from "../accounts/users.ts";
import type { DB, EventTeamRoleColumn } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { createInvitation } from "../invitations/invitations.ts";
import { authorizeEvent, type EventResource } from "./access.ts";
import { type EventDeps, publicBase } from "./deps.ts";
import { idParams } from "./fields.ts";

const ROLE_NAMES: Record<EventTeamRoleColumn, string> = { owner: "owner", co_host: "co-host", moderator: "moderator", check_in_staff: "check-in staff" };
const memberParams = idParams.extend({ userId: z.uuid("Not a valid id") });
const inviteInput = z.strictObject({ email: emailSchema, role: z.enum(["co_host", "moderator", "check_in_staff"]) });
const roleInput = z.strictObject({ role: z.enum(["owner", "co_host", "moderator", "check_in_staff"]) });

const mayManageOwners = (r: EventResource, isAdmin: boolean) =>
  isAdmin || r.teamRole === "owner" || r.organizationRole === "owner" || r.organizationRole === "admin";

export function teamRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;
  const isAdmin = (kind: string) => kind === "admin";

  // 202 with the invitation, whether or not the address has an account (server/invitations).
  app.post("/api/organize/events/:id/team/invites", { config: { action: "event.team.manage" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(inviteInput, request.body);
    const base = await publicBase(deps, request);
    const { invitation, deliver } = await db.transaction().execute(async (trx) => {
      await authorizeEvent(trx, request.actor, "event.team.manage", id);
      // The inviter sees every member's address in the team list, so this tells them nothing new.
      const member = await trx.selectFrom("event_team").innerJoin("users", "users.id", "event_team.user_id").select("event_team.role")
        .where("event_id", "=", id).where("users.email", "=", input.email).executeTakeFirst();
      if (member) throw AppError.conflict("already_member", `This person is already on the team as ${ROLE_NAMES[member.role]}`);
      return createInvitation(trx, deps.mailer, { target: { kind: "event_team", eventId: id, role: input.role }, email: input.email, actor: request.actor, inviterId: actorUserId(request.actor), ip: request.ip, base });
    });
    deliver();
    return reply.code(202).send({ invitation });
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
