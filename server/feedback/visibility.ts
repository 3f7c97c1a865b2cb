/**
 * Whether a public page may show an event's ratings, sponsors or speakers: whoever may see the
 * event page itself (discovery/event-page.ts `mayViewEvent`): anyone for a published public or
 * unlisted event; for a published invite-only one its invitees, ticket holders and visitors who
 * bring its access code (as the event page's links pass it on); any state for those who run it.
 * Anyone else gets the same 404 as for an event that does not exist.
 */
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Actor } from "../accounts/actor.ts";
import type { DB } from "../db/schema.ts";
import { mayViewEventWithCode } from "../discovery/event-page.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";

/** The access code a visitor brought, and from where (guessing is counted per address). */
export type EventCodeProof = { code: string | undefined; ip: string };

const codeQuery = z.object({ code: z.string().max(200).optional() });

/** The `?code=` an invite-only event's page passes on in its links and API calls. */
export function codeProof(request: FastifyRequest): EventCodeProof {
  return { code: parseBody(codeQuery, request.query).code?.trim() || undefined, ip: request.ip };
}

export async function requireVisibleEvent(
  db: Kysely<DB>,
  actor: Actor,
  eventId: string,
  proof?: EventCodeProof,
): Promise<{ id: string; organizationId: string; title: string; slug: string }> {
  const event = await db
    .selectFrom("events")
    .select(["id", "organization_id", "title", "slug", "status", "visibility", "access_code_hash"])
    .where("id", "=", eventId)
    .executeTakeFirst();
  if (!event || !(await mayViewEventWithCode(db, actor, event, proof?.code, proof?.ip ?? ""))) throw AppError.notFound("No such event");
  return { id: event.id, organizationId: event.organization_id, title: event.title, slug: event.slug };
}
