/** Feedback and ratings wired into the server: routes, the invitation job kind and its sweep. */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Logger } from "../log.ts";
import type { Notifier } from "../notifications/Notifier.ts";
import { attendeeFeedbackRoutes } from "./attendee-routes.ts";
import { defineInviteJob, startInvitationSweep, targetMoved } from "./invitations.ts";
import { organizerFeedbackRoutes } from "./organizer-routes.ts";

export { planFeedbackInvitations } from "./invitations.ts";

export function registerFeedback(app: FastifyInstance, deps: { db: Kysely<DB>; jobs: JobRunner; notifier: Notifier; log: Logger }): {
  start(): void;
  close(): void;
  /** The agenda moved, added or deleted the session: its invitation to rate follows the new end. */
  sessionMoved(sessionId: string): Promise<void>;
  /** The event's end or status changed: its invitation to rate follows. */
  eventMoved(eventId: string): Promise<void>;
} {
  attendeeFeedbackRoutes(app, deps.db);
  organizerFeedbackRoutes(app, deps.db, deps.jobs);
  defineInviteJob(deps.jobs, deps);
  let stop = () => {};
  return {
    start() {
      stop = startInvitationSweep(deps.db, deps.jobs, deps.log);
    },
    close() {
      stop();
    },
    sessionMoved: (sessionId) => targetMoved(deps.db, deps.jobs, "session", sessionId),
    eventMoved: (eventId) => targetMoved(deps.db, deps.jobs, "event", eventId),
  };
}
