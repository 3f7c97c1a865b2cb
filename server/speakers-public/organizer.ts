/**
 * An organizer's public page: who they are, their listed events (upcoming first, then the
 * latest past ones) and, on the page, their rating. Only organizations with at least one
 * published public event have one; any other slug is a 404, so private organizations stay unseen.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";

const params = z.object({ slug: z.string().trim().toLowerCase().min(1).max(60) });
const PAST_SHOWN = 12;

export function organizerPageRoutes(app: FastifyInstance, db: Kysely<DB>) {
  app.get("/api/organizers/:slug", { config: { action: "organization.readPublic" } }, async (request) => {
    const { slug } = parseBody(params, request.params);
    const org = await db
      .selectFrom("organizations")
      .select(["id", "name", "slug", "contact_email", "logo_path"])
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (!org) throw AppError.notFound("No such organizer");
    const listed = db
      .selectFrom("events")
      .select(["id", "slug", "title", "summary", "starts_at", "ends_at", "time_zone", "venue_type", "status"])
      .where("organization_id", "=", org.id)
      .where("visibility", "=", "public")
      .where("status", "in", ["approved", "cancelled"]);
    const now = new Date().toISOString();
    const [upcoming, past] = await Promise.all([
      listed.where("ends_at", ">=", now).orderBy("starts_at").execute(),
      listed.where("ends_at", "<", now).orderBy("starts_at", "desc").limit(PAST_SHOWN).execute(),
    ]);
    if (upcoming.length === 0 && past.length === 0) throw AppError.notFound("No such organizer");
    const view = (e: (typeof upcoming)[number]) => ({
      id: e.id, slug: e.slug, title: e.title, summary: e.summary, startsAt: e.starts_at, endsAt: e.ends_at,
      timeZone: e.time_zone, venueType: e.venue_type, cancelled: e.status === "cancelled",
    });
    return {
      organizer: {
        id: org.id,
        name: org.name,
        slug: org.slug,
        contactEmail: org.contact_email,
        logoUrl: org.logo_path ? `/api/images/organizations/${org.id}/logo` : null,
      },
      upcoming: upcoming.map(view),
      past: past.map(view),
    };
  });
}
