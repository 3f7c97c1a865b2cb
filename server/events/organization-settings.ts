/**
 * Organization settings beyond its name and receipt details (server/organizations/routes.ts):
 * the logo, and the payout account connected through the payment provider's onboarding
 * (Stripe Connect); without a provider it stays "not connected". The commission override is
 * the revenue module's (PUT /api/admin/organizations/:id/commission, admins only).
 */
import type { FastifyInstance } from "fastify";
import { actorUserId } from "../accounts/actor.ts";
import { recordAudit } from "../accounts/audit.ts";
import { can } from "../accounts/policy.ts";
import { requireUser } from "../accounts/users.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { organizationResource } from "../organizations/routes.ts";
import { type EventDeps, publicBase } from "./deps.ts";
import { idParams } from "./fields.ts";
import { imageBodyLimit, imageUploads, removeImage, sendImage, storeImage } from "./images.ts";

export function organizationSettingsRoutes(app: FastifyInstance, deps: EventDeps) {
  const { db } = deps;
  const authorize = async (actor: Parameters<typeof organizationResource>[1], id: string, action: string) => {
    const resource = await organizationResource(db, actor, id);
    if (can(actor, action, resource)) return resource;
    if (resource.role === null) throw AppError.notFound("No such organization");
    throw AppError.forbidden("forbidden", "Your role in this organization does not allow that");
  };

  const setLogo = async (request: { actor: Parameters<typeof organizationResource>[1]; ip: string }, id: string, stored: string | null) => {
    const before = await db.selectFrom("organizations").select("logo_path").where("id", "=", id).executeTakeFirstOrThrow();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("organizations").set({ logo_path: stored, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
      await recordAudit(trx, request.actor, request.ip, { action: stored ? "organization.logo.set" : "organization.logo.remove", targetType: "organization", targetId: id });
    });
    await removeImage(deps.config.paths.dataDir, before.logo_path);
    return { logoUrl: stored ? `/api/images/organizations/${id}/logo?v=${encodeURIComponent(stored.slice(-17, -5))}` : null };
  };

  imageUploads(app, (scope) => {
    scope.put("/api/organizations/:id/logo", { config: { action: "organization.update" }, bodyLimit: imageBodyLimit }, async (request) => {
      const { id } = parseBody(idParams, request.params);
      await authorize(request.actor, id, "organization.update");
      return setLogo(request, id, await storeImage(deps.config.paths.dataDir, "logos", id, request.body, "logo"));
    });
  });

  app.delete("/api/organizations/:id/logo", { config: { action: "organization.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorize(request.actor, id, "organization.update");
    return setLogo(request, id, null);
  });

  app.get("/api/images/organizations/:id/logo", { config: { action: "event.image.read" } }, async (request, reply) => {
    const { id } = parseBody(idParams, request.params);
    const row = await db.selectFrom("organizations").select("logo_path").where("id", "=", id).executeTakeFirst();
    return sendImage(reply, deps.config.paths.dataDir, row?.logo_path ?? null);
  });

  app.post("/api/organizations/:id/payout/onboarding", { config: { action: "organization.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorize(request.actor, id, "organization.update");
    const payments = deps.payments;
    if (!payments) throw AppError.conflict("payments_not_configured", "Payments are not configured on this server, so no payout account can be connected; free events work without one");
    const org = await db.selectFrom("organizations").select(["payout_account_id", "contact_email"]).where("id", "=", id).executeTakeFirstOrThrow();
    let accountId = org.payout_account_id;
    if (!accountId) {
      const email = org.contact_email ?? (await requireUser(db, actorUserId(request.actor)!)).email;
      const account = await payments.createPayoutAccount({ organizationId: id, email, idempotencyKey: `payout-account-${id}` });
      accountId = account.id;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable("organizations").set({ payout_account_id: account.id, payout_ready: account.chargesEnabled && account.payoutsEnabled ? 1 : 0 }).where("id", "=", id).execute();
        await recordAudit(trx, request.actor, request.ip, { action: "organization.payout.create", targetType: "organization", targetId: id, after: { accountId: account.id } });
      });
    }
    const back = `${await publicBase(deps, request)}/organize/organizations/${id}`;
    return { url: await payments.createOnboardingLink(accountId, { returnUrl: `${back}?payout=done`, refreshUrl: `${back}?payout=retry` }) };
  });

  app.post("/api/organizations/:id/payout/refresh", { config: { action: "organization.update" } }, async (request) => {
    const { id } = parseBody(idParams, request.params);
    await authorize(request.actor, id, "organization.update");
    const org = await db.selectFrom("organizations").select("payout_account_id").where("id", "=", id).executeTakeFirstOrThrow();
    if (!deps.payments || !org.payout_account_id) return { payout: { connected: false, ready: false } };
    const account = await deps.payments.retrievePayoutAccount(org.payout_account_id);
    const ready = account.chargesEnabled && account.payoutsEnabled;
    await db.updateTable("organizations").set({ payout_ready: ready ? 1 : 0 }).where("id", "=", id).execute();
    return { payout: { connected: true, ready } };
  });
}
