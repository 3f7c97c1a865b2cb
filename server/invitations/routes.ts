/**
 * The invitation routes: inviting into an organization (the event team and speakers invite
 * through their own routes, which call the same module), resending and withdrawing any
 * invitation, and the link's two steps: what it is (anyone holding it) and accepting it
 * (signed in as the invited address). Inviting answers 202 with the invitation alone, the
 * same for an address with or without an account.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Transaction } from "kysely";
import { z } from "zod";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { emailSchema, requireUser } from "../accounts/users.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { type EventDeps, publicBase } from "../events/deps.ts";
import { parseBody } from "../http/validate.ts";
import { authorizeOrganization } from "../organizations/routes.ts";
import { acceptInvitation, createInvitation, describeInvitation, type InvitationRow, invitationByToken, resendInvitation, revokeInvitation } from "./invitations.ts";

const orgParams = z.object({ id: z.uuid("Not a valid id") });
const invitationParams = z.object({ invitationId: z.uuid("Not a valid id") });
const tokenInput = z.strictObject({ token: z.string().min(20, "Not a valid invitation link").max(200, "Not a valid invitation link") });
const orgInviteInput = z.strictObject({ email: emailSchema, role: z.enum(["owner", "admin", "member"]) });

/** Throws unless the actor may manage invitations of this kind in this place (404 to outsiders). */
export async function authorizeInvitation(trx: Transaction<DB>, actor: Actor, row: InvitationRow) {
  if (row.kind === "organization") {
    const resource = await authorizeOrganization(trx, actor, "organization.members.manage", row.organization_id!);
    if (row.role === "owner" && resource.role !== "owner" && actor.kind !== "admin") throw AppError.forbidden("forbidden", "Only an owner can invite owners");
  } else {
    await authorizeEvent(trx, actor, row.kind === "event_team" ? "event.team.manage" : "event.update", row.event_id!);
  }
}

export function invitationRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db, mailer } = deps;
  const base = (request: FastifyRequest) => publicBase(deps, request);

  app.post("/api/organizations/:id/invitations", { config: { action: "organization.members.manage" } }, async (request, reply) => {
    const { id } = parseBody(orgParams, request.params);
    const input = parseBody(orgInviteInput, request.body);
    const link = await base(request);
    const { invitation, deliver } = await db.transaction().execute(async (trx) => {
      const resource = await authorizeOrganization(trx, request.actor, "organization.members.manage", id);
      // Only owners make owners, so an admin cannot take the organization over.
      if (input.role === "owner" && resource.role !== "owner" && request.actor.kind !== "admin") throw AppError.forbidden("forbidden", "Only an owner can invite owners");
      // The inviter already sees every member's address, so saying so tells them nothing new.
      const member = await trx.selectFrom("organization_members").innerJoin("users", "users.id", "organization_members.user_id").select("organization_members.role")
        .where("organization_id", "=", id).where("users.email", "=", input.email).executeTakeFirst();
      if (member) throw AppError.conflict("already_member", `This person is already a member (${member.role}); change their role in the list instead`);
      return createInvitation(trx, mailer, { target: { kind: "organization", organizationId: id, role: input.role }, email: input.email, actor: request.actor, inviterId: actorUserId(request.actor), ip: request.ip, base: link });
    });
    deliver();
    return reply.code(202).send({ invitation });
  });

  app.post("/api/invitations/:invitationId/resend", { config: { action: "invitation.manage" } }, async (request, reply) => {
    const { invitationId } = parseBody(invitationParams, request.params);
    const link = await base(request);
    const { invitation, deliver } = await db.transaction().execute(async (trx) => {
      const row = await invitationById(trx, invitationId);
      await authorizeInvitation(trx, request.actor, row);
      return resendInvitation(trx, mailer, row, { actor: request.actor, ip: request.ip, base: link });
    });
    deliver();
    return reply.code(202).send({ invitation });
  });

  app.delete("/api/invitations/:invitationId", { config: { action: "invitation.manage" } }, async (request, reply) => {
    const { invitationId } = parseBody(invitationParams, request.params);
    await db.transaction().execute(async (trx) => {
      const row = await invitationById(trx, invitationId);
      await authorizeInvitation(trx, request.actor, row);
      await revokeInvitation(trx, row, { actor: request.actor, ip: request.ip });
    });
    return reply.code(204).send();
  });

  // POST, so the token never sits in a URL that access logs or proxies keep.
  app.post("/api/invitations/preview", { config: { action: "invitation.preview" } }, async (request) => {
    const { token } = parseBody(tokenInput, request.body);
    return { invitation: await describeInvitation(db, await invitationByToken(db, token)) };
  });

  app.post("/api/invitations/accept", { config: { action: "invitation.accept" } }, async (request) => {
    const { token } = parseBody(tokenInput, request.body);
    return db.transaction().execute(async (trx) => {
      const row = await invitationByToken(trx, token);
      const user = await requireUser(trx, actorUserId(request.actor)!);
      return { accepted: await acceptInvitation(trx, row, user, { actor: request.actor, ip: request.ip }) };
    });
  });
}

async function invitationById(trx: Transaction<DB>, id: string): Promise<InvitationRow> {
  const row = await trx.selectFrom("invitations").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw AppError.notFound("No such invitation");
  return row;
}
