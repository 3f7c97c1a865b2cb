/**
 * Sponsors of an event: the organizer (owners, co-hosts) manages tiers (name, order, logo
 * size) and sponsors (name, logo, banner, link, description, tier); anyone reads them for a
 * published event; pages report impressions, and links go through a counting redirect.
 * Logos and banners are https addresses the sponsor hosts.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { authorizeEvent } from "../events/access.ts";
import { codeProof, requireVisibleEvent } from "../feedback/visibility.ts";
import { parseBody } from "../http/validate.ts";
import { countSponsor, PLACEMENTS, sponsorStats, sponsorsByTier } from "./queries.ts";

const eventParams = z.object({ id: z.uuid("Not a valid id") });
const tierParams = z.object({ tierId: z.uuid("Not a valid id") });
const sponsorParams = z.object({ sponsorId: z.uuid("Not a valid id") });
const httpsUrl = z.union([z.literal(""), z.url({ protocol: /^https?$/, message: "Use an http or https address" }).max(2000)]);
const tierFields = z.strictObject({
  name: z.string().trim().min(1, "Enter a name").max(80, "Use at most 80 characters"),
  position: z.number().int().min(0).max(1000),
  logoSize: z.enum(["small", "medium", "large"]),
});
const sponsorFields = z.strictObject({
  name: z.string().trim().min(1, "Enter a name").max(120, "Use at most 120 characters"),
  description: z.string().trim().max(1000, "Use at most 1000 characters"),
  logoUrl: httpsUrl,
  bannerUrl: httpsUrl,
  link: httpsUrl,
  tierId: z.uuid().nullable(),
  position: z.number().int().min(0).max(1000),
});
const impressionsBody = z.strictObject({ sponsorIds: z.array(z.uuid()).min(1).max(50), placement: z.enum(PLACEMENTS) });
const visitQuery = z.object({ placement: z.enum(PLACEMENTS).default("event_page") });

export function sponsorRoutes(app: FastifyInstance, db: Kysely<DB>) {
  const tierOf = async (tierId: string) => {
    const tier = await db.selectFrom("sponsor_tiers").selectAll().where("id", "=", tierId).executeTakeFirst();
    if (!tier) throw AppError.notFound("No such tier");
    return tier;
  };
  const sponsorOf = async (sponsorId: string) => {
    const sponsor = await db.selectFrom("sponsors").selectAll().where("id", "=", sponsorId).executeTakeFirst();
    if (!sponsor) throw AppError.notFound("No such sponsor");
    return sponsor;
  };
  const checkTier = async (eventId: string, tierId: string | null | undefined) => {
    if (!tierId) return;
    const tier = await tierOf(tierId);
    if (tier.event_id !== eventId) throw new AppError("validation_failed", 400, "Some fields are not valid", [{ path: "tierId", message: "Not a tier of this event" }]);
  };
  const sponsorColumns = (input: Partial<z.infer<typeof sponsorFields>>) => ({
    ...(input.name !== undefined && { name: input.name }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.logoUrl !== undefined && { logo_url: input.logoUrl }),
    ...(input.bannerUrl !== undefined && { banner_url: input.bannerUrl }),
    ...(input.link !== undefined && { link: input.link }),
    ...(input.tierId !== undefined && { tier_id: input.tierId }),
    ...(input.position !== undefined && { position: input.position }),
  });

  app.get("/api/events/:id/sponsors", { config: { action: "sponsors.read" } }, async (request) => {
    const { id } = parseBody(eventParams, request.params);
    await requireVisibleEvent(db, request.actor, id, codeProof(request));
    return { tiers: await sponsorsByTier(db, id) };
  });

  app.post("/api/organize/events/:id/sponsor-tiers", { config: { action: "sponsors.manage" } }, async (request, reply) => {
    const { id } = parseBody(eventParams, request.params);
    const input = parseBody(tierFields.partial({ position: true, logoSize: true }), request.body);
    await authorizeEvent(db, request.actor, "sponsors.manage", id);
    const tier = { id: randomUUID(), event_id: id, name: input.name, position: input.position ?? 0, logo_size: input.logoSize ?? "medium", created_at: new Date().toISOString() };
    await db.insertInto("sponsor_tiers").values(tier).execute();
    return reply.code(201).send({ tier: { id: tier.id, name: tier.name, position: tier.position, logoSize: tier.logo_size } });
  });

  app.patch("/api/organize/sponsor-tiers/:tierId", { config: { action: "sponsors.manage" } }, async (request) => {
    const { tierId } = parseBody(tierParams, request.params);
    const input = parseBody(tierFields.partial(), request.body);
    const tier = await tierOf(tierId);
    await authorizeEvent(db, request.actor, "sponsors.manage", tier.event_id);
    await db
      .updateTable("sponsor_tiers")
      .set({ ...(input.name !== undefined && { name: input.name }), ...(input.position !== undefined && { position: input.position }), ...(input.logoSize && { logo_size: input.logoSize }) })
      .where("id", "=", tierId)
      .execute();
    const after = await tierOf(tierId);
    return { tier: { id: after.id, name: after.name, position: after.position, logoSize: after.logo_size } };
  });

  app.delete("/api/organize/sponsor-tiers/:tierId", { config: { action: "sponsors.manage" } }, async (request, reply) => {
    const { tierId } = parseBody(tierParams, request.params);
    const tier = await tierOf(tierId);
    await authorizeEvent(db, request.actor, "sponsors.manage", tier.event_id);
    await db.deleteFrom("sponsor_tiers").where("id", "=", tierId).execute();
    return reply.code(204).send();
  });

  app.post("/api/organize/events/:id/sponsors", { config: { action: "sponsors.manage" } }, async (request, reply) => {
    const { id } = parseBody(eventParams, request.params);
    const input = parseBody(sponsorFields.partial().required({ name: true }), request.body);
    await authorizeEvent(db, request.actor, "sponsors.manage", id);
    await checkTier(id, input.tierId);
    const sponsorId = randomUUID();
    const now = new Date().toISOString();
    await db.insertInto("sponsors").values({ id: sponsorId, event_id: id, tier_id: null, created_at: now, updated_at: now, ...sponsorColumns(input), name: input.name }).execute();
    return reply.code(201).send({ sponsor: sponsorView(await sponsorOf(sponsorId)) });
  });

  app.patch("/api/organize/sponsors/:sponsorId", { config: { action: "sponsors.manage" } }, async (request) => {
    const { sponsorId } = parseBody(sponsorParams, request.params);
    const input = parseBody(sponsorFields.partial(), request.body);
    const sponsor = await sponsorOf(sponsorId);
    await authorizeEvent(db, request.actor, "sponsors.manage", sponsor.event_id);
    await checkTier(sponsor.event_id, input.tierId);
    await db.updateTable("sponsors").set({ ...sponsorColumns(input), updated_at: new Date().toISOString() }).where("id", "=", sponsorId).execute();
    return { sponsor: sponsorView(await sponsorOf(sponsorId)) };
  });

  app.delete("/api/organize/sponsors/:sponsorId", { config: { action: "sponsors.manage" } }, async (request, reply) => {
    const { sponsorId } = parseBody(sponsorParams, request.params);
    const sponsor = await sponsorOf(sponsorId);
    await authorizeEvent(db, request.actor, "sponsors.manage", sponsor.event_id);
    await db.deleteFrom("sponsors").where("id", "=", sponsorId).execute();
    return reply.code(204).send();
  });

  app.get("/api/organize/events/:id/sponsors/stats", { config: { action: "sponsors.stats" } }, async (request) => {
    const { id } = parseBody(eventParams, request.params);
    await authorizeEvent(db, request.actor, "sponsors.stats", id);
    return { sponsors: await sponsorStats(db, id) };
  });

  // Pages report which sponsors they showed; counts only sponsors of one published event.
  app.post("/api/sponsors/impressions", { config: { action: "sponsors.track" } }, async (request, reply) => {
    const { sponsorIds, placement } = parseBody(impressionsBody, request.body);
    const unique = [...new Set(sponsorIds)];
    const rows = await db.selectFrom("sponsors").select(["id", "event_id"]).where("id", "in", unique).execute();
    const events = new Set(rows.map((r) => r.event_id));
    if (rows.length !== unique.length || events.size !== 1) throw AppError.notFound("No such sponsor");
    await requireVisibleEvent(db, request.actor, [...events][0]!, codeProof(request));
    await countSponsor(db, unique, placement, "impressions");
    return reply.code(202).send({ counted: unique.length });
  });

  // The sponsor's link, counted: pages link here instead of to the sponsor directly.
  app.get("/api/sponsors/:sponsorId/visit", { config: { action: "sponsors.track" } }, async (request, reply) => {
    const { sponsorId } = parseBody(sponsorParams, request.params);
    const { placement } = parseBody(visitQuery, request.query);
    const sponsor = await sponsorOf(sponsorId);
    await requireVisibleEvent(db, request.actor, sponsor.event_id, codeProof(request));
    if (!sponsor.link) throw AppError.notFound("This sponsor has no link");
    await countSponsor(db, [sponsorId], placement, "clicks");
    return reply.redirect(sponsor.link, 302);
  });
}

function sponsorView(s: { id: string; name: string; description: string; logo_url: string; banner_url: string; link: string; tier_id: string | null; position: number }) {
  return { id: s.id, name: s.name, description: s.description, logoUrl: s.logo_url, bannerUrl: s.banner_url, link: s.link, tierId: s.tier_id, position: s.position };
}
