/**
 * Organizations: a user becomes an organizer by creating one (and owning it) or by accepting
 * an invitation to one (server/invitations). Owners and admins manage it and its members; members see it. The policy
 * decides from the caller's role in the organization, loaded here per request.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely, Transaction } from "kysely";
import { z } from "zod";
import { type Actor, actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { can, type Resource } from "../accounts/policy.ts";
import { emailSchema } from "../accounts/users.ts";
import type { DB, OrganizationRole } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { invitationView, openInvitations } from "../invitations/invitations.ts";

const ROLES = ["owner", "admin", "member"] as const;
const idParams = z.object({ id: z.uuid("Not a valid id") });
const memberParams = idParams.extend({ userId: z.uuid("Not a valid id") });
const nameSchema = z.string().trim().min(2, "Use at least 2 characters").max(120, "Use at most 120 characters");
const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "Use at least 2 characters")
  .max(60, "Use at most 60 characters")
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Use lowercase letters, digits and single dashes");

type Db = Kysely<DB> | Transaction<DB>;

// Everything but the name is printed on receipts or used as the default for new events.
const settingsSchema = z
  .strictObject({
    name: nameSchema,
    contactEmail: emailSchema.nullable(),
    defaultCurrency: z.string().trim().toLowerCase().regex(/^[a-z]{3}$/, "Use a three-letter currency code"),
    legalAddress: z.string().trim().max(500, "Use at most 500 characters"),
    vatId: z.string().trim().max(40, "Use at most 40 characters"),
  })
  .partial();

/** The organization as a policy resource, with the caller's role in it (null: not a member). */
export async function organizationResource(db: Db, actor: Actor, id: string): Promise<Resource & { kind: "organization" }> {
  const org = await db.selectFrom("organizations").select("id").where("id", "=", id).executeTakeFirst();
  if (!org) throw AppError.notFound("No such organization");
  const userId = actorUserId(actor);
  const membership = userId
    ? await db.selectFrom("organization_members").select("role").where("organization_id", "=", id).where("user_id", "=", userId).executeTakeFirst()
    : undefined;
  return { kind: "organization", id, role: membership?.role ?? null };
}

/** Throws unless the actor may do the action here; outsiders learn nothing (404). */
export async function authorizeOrganization(db: Db, actor: Actor, action: string, id: string) {
  const resource = await organizationResource(db, actor, id);
  if (can(actor, action, resource)) return resource;
  if (resource.role === null && !can(actor, "organization.read", resource)) throw AppError.notFound("No such organization");
  throw AppError.forbidden("forbidden", "Your role in this organization does not allow that");
}

export function organizationRoutes(app: FastifyInstance, db: Kysely<DB>) {
  const me = (actor: Actor) => actorUserId(actor)!;

  app.post("/api/organizations", { config: { action: "organization.create" } }, async (request, reply) => {
    const input = parseBody(z.strictObject({ name: nameSchema, slug: slugSchema }), request.body);
    const now = new Date().toISOString();
    const id = randomUUID();
    await db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom("organizations").select("id").where("slug", "=", input.slug).executeTakeFirst();
      if (taken) throw AppError.conflict("slug_taken", "Another organization uses this address; choose another");
      await trx.insertInto("organizations").values({ id, name: input.name, slug: input.slug, created_at: now, updated_at: now }).execute();
      await trx.insertInto("organization_members").values({ organization_id: id, user_id: me(request.actor), role: "owner", created_at: now }).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "organization.create", targetType: "organization", targetId: id, after: input });
    });
    return reply.code(201).send({ organization: { id, name: input.name, slug: input.slug, role: "owner" } });
  });

  app.get("/api/organizations", { config: { action: "organization.list" } }, async (request) => {
    const rows = await db
      .selectFrom("organization_members")
      .innerJoin("organizations", "organizations.id", "organization_members.organization_id")
      .select(["organizations.id", "organizations.name", "organizations.slug", "organization_members.role"])
      .where("organization_members.user_id", "=", me(request.actor))
      .orderBy("organizations.name")
      .execute();
    return { organizations: rows };
  });

  app.get("/api/organizations/:id", { config: { action: "organization.read" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const resource = await authorizeOrganization(db, request.actor, "organization.read", id);
    const org = await db.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const members = await db
      .selectFrom("organization_members")
      .innerJoin("users", "users.id", "organization_members.user_id")
      .select(["users.id", "users.display_name", "users.email", "organization_members.role"])
      .where("organization_id", "=", id)
      .orderBy("users.display_name")
      .execute();
    // Invited addresses are for those who manage members; names appear only once accepted.
    const invitations = can(request.actor, "organization.members.manage", resource)
      ? await openInvitations(db).where("kind", "=", "organization").where("organization_id", "=", id).execute()
      : [];
    return {
      organization: {
        id: org.id, name: org.name, slug: org.slug, createdAt: org.created_at, role: resource.role,
        logoUrl: org.logo_path ? `/api/images/organizations/${org.id}/logo?v=${encodeURIComponent(org.logo_path.slice(-17, -5))}` : null,
        contactEmail: org.contact_email, defaultCurrency: org.default_currency, legalAddress: org.legal_address, vatId: org.vat_id,
        commissionBp: org.commission_bp, payout: { connected: org.payout_account_id !== null, ready: org.payout_ready === 1 },
      },
      members: members.map((m) => ({ userId: m.id, displayName: m.display_name, email: m.email, role: m.role })),
      invitations: invitations.map((i) => invitationView(i)),
    };
  });

  app.patch("/api/organizations/:id", { config: { action: "organization.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    const input = parseBody(settingsSchema, request.body);
    const columns = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.contactEmail !== undefined ? { contact_email: input.contactEmail } : {}),
      ...(input.defaultCurrency !== undefined ? { default_currency: input.defaultCurrency } : {}),
      ...(input.legalAddress !== undefined ? { legal_address: input.legalAddress } : {}),
      ...(input.vatId !== undefined ? { vat_id: input.vatId } : {}),
    };
    const after = await db.transaction().execute(async (trx) => {
      await authorizeOrganization(trx, request.actor, "organization.update", id);
      const before = await trx.selectFrom("organizations").select(["name", "contact_email", "default_currency", "legal_address", "vat_id"]).where("id", "=", id).executeTakeFirstOrThrow();
      await trx.updateTable("organizations").set({ ...columns, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "organization.update", targetType: "organization", targetId: id, before, after: input });
      return { ...before, ...columns };
    });
    return {
      organization: {
        id, name: after.name, contactEmail: after.contact_email, defaultCurrency: after.default_currency, legalAddress: after.legal_address, vatId: after.vat_id,
      },
    };
  });

  app.delete("/api/organizations/:id", { config: { action: "organization.delete" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    await db.transaction().execute(async (trx) => {
      await authorizeOrganization(trx, request.actor, "organization.delete", id);
      const before = await trx.selectFrom("organizations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      await trx.deleteFrom("organizations").where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: "organization.delete", targetType: "organization", targetId: id, before });
    });
    return reply.code(204).send();
  });

  // A member's role changes by id; people join only through invitations, so no route tells an address's owner apart.
  app.patch("/api/organizations/:id/members/:userId", { config: { action: "organization.members.manage" } }, async (request) => {
    const { id, userId } = parseBody(memberParams, request.params);
    const input = parseBody(z.strictObject({ role: z.enum(ROLES) }), request.body);
    return db.transaction().execute(async (trx) => {
      const resource = await authorizeOrganization(trx, request.actor, "organization.members.manage", id);
      const current = await trx.selectFrom("organization_members").select("role").where("organization_id", "=", id).where("user_id", "=", userId).executeTakeFirst();
      if (!current) throw AppError.notFound("Not a member");
      // Only owners make or unmake owners, so an admin cannot take the organization over.
      if ((input.role === "owner" || current.role === "owner") && resource.role !== "owner" && request.actor.kind !== "admin") {
        throw AppError.forbidden("forbidden", "Only an owner can add or change owners");
      }
      if (current.role === "owner" && input.role !== "owner") await keepAnOwner(trx, id, userId);
      await trx.updateTable("organization_members").set({ role: input.role }).where("organization_id", "=", id).where("user_id", "=", userId).execute();
      await recordAudit(trx, request.actor, request.ip, {
        action: "organization.members.set", targetType: "organization", targetId: id, before: { userId, role: current.role }, after: { userId, role: input.role },
      });
      return { member: { userId, role: input.role as OrganizationRole } };
    });
  });

  app.delete("/api/organizations/:id/members/:userId", { config: { action: "organization.members.manage" } }, async (request, reply) => {
    const { id, userId } = parseBody(memberParams, request.params);
    await db.transaction().execute(async (trx) => {
      // Anyone may leave; removing someone else needs the manage role.
      const resource = userId === me(request.actor)
        ? await organizationResource(trx, request.actor, id)
        : await authorizeOrganization(trx, request.actor, "organization.members.manage", id);
      const current = await trx.selectFrom("organization_members").select("role").where("organization_id", "=", id).where("user_id", "=", userId).executeTakeFirst();
      if (!current) throw AppError.notFound("Not a member");
      if (current.role === "owner" && userId !== me(request.actor) && resource.role !== "owner") {
        throw AppError.forbidden("forbidden", "Only an owner can remove an owner");
      }
      if (current.role === "owner") await keepAnOwner(trx, id, userId);
      await trx.deleteFrom("organization_members").where("organization_id", "=", id).where("user_id", "=", userId).execute();
      await recordAudit(trx, request.actor, request.ip, {
        action: "organization.members.remove", targetType: "organization", targetId: id, before: { userId, role: current.role },
      });
    });
    return reply.code(204).send();
  });
}

async function keepAnOwner(trx: Db, organizationId: string, leaving: string) {
  const others = await trx
    .selectFrom("organization_members")
    .select("user_id")
    .where("organization_id", "=", organizationId)
    .where("role", "=", "owner")
    .where("user_id", "!=", leaving)
    .limit(1)
    .executeTakeFirst();
  if (!others) throw AppError.conflict("last_owner", "An organization needs an owner; make someone else owner first");
}
