/**
 * Platform admins: revenue across every organization (the commission is the platform's
 * income), and the commission rates: the platform default and each organization's override.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { recordAudit } from "../accounts/audit.ts";
import type { DB } from "../db/schema.ts";
import { parseBody } from "../http/validate.ts";
import { commissionBpSchema, platformCommissionBp, setOrganizationCommissionBp, setPlatformCommissionBp } from "./commission-settings.ts";
import { revenueByOrganization, revenueReport } from "./reports.ts";
import { reportQuery, sendReport } from "./routes.ts";

export function adminRevenueRoutes(app: FastifyInstance, db: Kysely<DB>) {
  app.get("/api/admin/revenue", { config: { action: "admin.revenue.read" } }, async (request, reply) => {
    const query = parseBody(reportQuery, request.query);
    const report = await revenueReport(db, { platform: true }, query);
    if (query.format === "csv") return sendReport(reply, report, "csv", "platform");
    const [organizations, commissionDefaultBp, overrides] = await Promise.all([
      revenueByOrganization(db, query),
      platformCommissionBp(db),
      db.selectFrom("organizations").select(["id", "name", "slug", "commission_bp"]).orderBy("name").execute(),
    ]);
    return reply.send({ report, byOrganization: organizations, commission: { defaultBp: commissionDefaultBp, organizations: overrides } });
  });

  app.put("/api/admin/commission", { config: { action: "admin.commission.manage" } }, async (request) => {
    const body = parseBody(z.strictObject({ defaultBp: commissionBpSchema }), request.body);
    const before = await platformCommissionBp(db);
    await db.transaction().execute(async (trx) => {
      await setPlatformCommissionBp(trx, body.defaultBp);
      await recordAudit(trx, request.actor, request.ip, { action: "admin.commission.default", targetType: "settings", targetId: "commission_bp", before, after: body.defaultBp });
    });
    return { defaultBp: body.defaultBp };
  });

  app.put("/api/admin/organizations/:id/commission", { config: { action: "admin.commission.manage" } }, async (request) => {
    const params = parseBody(z.object({ id: z.uuid("Not a valid id") }), request.params);
    const body = parseBody(z.strictObject({ commissionBp: commissionBpSchema.nullable() }), request.body);
    await db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom("organizations").select("commission_bp").where("id", "=", params.id).executeTakeFirst();
      await setOrganizationCommissionBp(trx, params.id, body.commissionBp);
      await recordAudit(trx, request.actor, request.ip, { action: "admin.commission.organization", targetType: "organization", targetId: params.id, before: before?.commission_bp ?? null, after: body.commissionBp });
    });
    return { organizationId: params.id, commissionBp: body.commissionBp };
  });
}
