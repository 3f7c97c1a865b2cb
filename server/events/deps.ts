/** What the organizer-side routes need, built once by the composition root. */
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Actor } from "../accounts/actor.ts";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { PaymentProvider } from "../payments/provider.ts";

export type EventDeps = {
  db: Kysely<DB>;
  config: LoadedConfig;
  mailer: Mailer;
  /** The configured payment provider; null: payouts cannot be connected (free events only). */
  payments: PaymentProvider | null;
  /**
   * Told after a session was created, moved or deleted, or its event cancelled or given other
   * reminder offsets, once the change is committed, so reminders follow. No-op by default.
   */
  sessionRescheduled?: (sessionId: string) => Promise<void>;
  /** Told after an event's dates, status or reminder offsets changed, once committed (its invitation to rate follows). */
  eventMoved?: (eventId: string) => Promise<void>;
  /** Told after an event was cancelled and committed, to refund its orders; what it returns is shown to the organizer. */
  eventCancelled?: (eventId: string, actor: Actor) => Promise<unknown>;
};

/** The address links in e-mails point to (server/http/public-url.ts): never the request's Host. */
export async function publicBase(_deps: EventDeps, request: FastifyRequest): Promise<string> {
  return request.server.publicBaseUrl();
}

/** Tells `eventMoved` about the event and `sessionRescheduled` about every session of it. */
export async function rescheduleEvent(deps: EventDeps, eventId: string): Promise<void> {
  await deps.eventMoved?.(eventId);
  if (!deps.sessionRescheduled) return;
  const sessions = await deps.db.selectFrom("event_sessions").select("id").where("event_id", "=", eventId).execute();
  for (const s of sessions) await deps.sessionRescheduled(s.id);
}
