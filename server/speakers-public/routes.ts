/**
 * Public profiles: a speaker's page (bio, links, photo, their sessions in the event, their
 * rating and featured testimonials) and an organizer's rating across its published events.
 * Shown only for events a public page may show (see server/feedback/visibility.ts).
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { publicComments, summaryOf } from "../feedback/summaries.ts";
import { codeProof, requireVisibleEvent } from "../feedback/visibility.ts";
import { parseBody } from "../http/validate.ts";
import { organizerPageRoutes } from "./organizer.ts";

const speakerParams = z.object({ speakerId: z.uuid("Not a valid id") });
const organizationParams = z.object({ id: z.uuid("Not a valid id") });
const links = z.array(z.object({ label: z.string(), url: z.string() }));

export function publicProfileRoutes(app: FastifyInstance, db: Kysely<DB>) {
  organizerPageRoutes(app, db);
  app.get("/api/speakers/:speakerId", { config: { action: "speakers.readPublic" } }, async (request) => {
    const { speakerId } = parseBody(speakerParams, request.params);
    const speaker = await db.selectFrom("speakers").selectAll().where("id", "=", speakerId).executeTakeFirst();
    if (!speaker) throw AppError.notFound("No such speaker");
    const proof = codeProof(request);
    const event = await requireVisibleEvent(db, request.actor, speaker.event_id, proof);
    const sessions = await db
      .selectFrom("event_sessions as s")
      .innerJoin("session_speakers as ss", "ss.session_id", "s.id")
      .select(["s.id", "s.title", "s.description", "s.starts_at", "s.ends_at", "s.track"])
      .where("ss.speaker_id", "=", speakerId)
      .orderBy("s.starts_at")
      .execute();
    const parsedLinks = links.safeParse(JSON.parse(speaker.links));
    return {
      speaker: {
        id: speaker.id,
        name: speaker.name,
        title: speaker.title,
        bio: speaker.bio,
        links: parsedLinks.success ? parsedLinks.data : [],
        // The photo of an invite-only event's speaker opens with the same code (events/images.ts).
        photoUrl: speaker.photo_path ? `/api/images/speakers/${speaker.id}${proof.code ? `?${new URLSearchParams({ code: proof.code })}` : ""}` : null,
      },
      event: { id: event.id, slug: event.slug, title: event.title },
      sessions: sessions.map((s) => ({ id: s.id, title: s.title, description: s.description, startsAt: s.starts_at, endsAt: s.ends_at, track: s.track })),
      rating: await summaryOf(db, "speaker", speakerId),
      testimonials: await publicComments(db, { targetType: "speaker", targetIds: [speakerId], featuredOnly: true, limit: 10 }),
    };
  });

  app.get("/api/organizations/:id/ratings", { config: { action: "feedback.read" } }, async (request) => {
    const { id } = parseBody(organizationParams, request.params);
    const organization = await db.selectFrom("organizations").select(["id", "name", "slug"]).where("id", "=", id).executeTakeFirst();
    if (!organization) throw AppError.notFound("No such organization");
    const published = await db
      .selectFrom("events")
      .select("id")
      .where("organization_id", "=", id)
      .where("status", "in", ["approved", "cancelled"])
      .where("visibility", "!=", "invite_only")
      .executeTakeFirst();
    if (!published) throw AppError.notFound("No such organization");
    return {
      organization,
      rating: await summaryOf(db, "organizer", id),
      testimonials: await publicComments(db, { targetType: "organizer", targetIds: [id], featuredOnly: true, limit: 10 }),
    };
  });
}
