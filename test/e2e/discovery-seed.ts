/**
 * Events for discovery tests, written straight into a running test server's SQLite file with
 * seed.ts (the organizer API is another module's; these tests only need rows to read): an event
 * with its ticket types in order, and sessions whose speakers are named.
 */
import type { Kysely } from "kysely";
import type { DB, EventStatus, EventVisibility } from "../../server/db/schema.ts";
import * as seed from "../support/seed.ts";

export { openServerDb } from "../support/seed.ts";

export type SeedTicketType = {
  name: string;
  price: number;
  quantity?: number;
  sold?: number;
  hidden?: boolean;
  accessCode?: string;
  saleStartsAt?: string;
};

export type SeedEvent = {
  slug: string;
  title: string;
  summary?: string;
  description?: string;
  tags?: string[];
  category?: string;
  language?: string;
  visibility?: EventVisibility;
  status?: EventStatus;
  startsAt: string;
  endsAt?: string;
  timeZone?: string;
  accessCode?: string;
  ticketTypes?: SeedTicketType[];
  sessions?: { title: string; startsAt: string; endsAt: string; speakers?: string[] }[];
};

export async function seedOrganization(db: Kysely<DB>, name = "Acme Events", slug = "acme"): Promise<string> {
  return (await seed.write(db, seed.organization({ name, slug, contactEmail: "hello@acme.example" }))).id;
}

export async function seedEvent(db: Kysely<DB>, organizationId: string, input: SeedEvent): Promise<string> {
  const { ticketTypes = [], sessions = [], ...event } = input;
  const { id } = await seed.write(db, seed.event({
    ...event, organizationId, timeZone: input.timeZone ?? "Europe/Berlin", endsAt: input.endsAt ?? new Date(Date.parse(input.startsAt) + 2 * 3_600_000).toISOString(),
  }));
  for (const [position, ticketType] of ticketTypes.entries()) await seed.write(db, seed.ticketType({ eventId: id, ...ticketType, position }));
  const speakerIds = new Map<string, string>();
  for (const session of sessions) {
    const sessionId = await seed.write(db, seed.session({ eventId: id, title: session.title, startsAt: session.startsAt, endsAt: session.endsAt }));
    for (const name of session.speakers ?? []) {
      const known = speakerIds.get(name);
      if (known) await seed.write(db, seed.sessionSpeaker({ sessionId, speakerId: known }));
      else speakerIds.set(name, await seed.write(db, seed.speaker({ eventId: id, name, bio: `${name} speaks.`, sessionIds: [sessionId] })));
    }
  }
  return id;
}

/** An ISO instant `days` from now (negative: in the past). */
export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
