/** The organizer side of events, registered by the composition root. */
import type { FastifyInstance } from "fastify";
import { invitationRoutes } from "../invitations/routes.ts";
import { agendaRoutes } from "./agenda-routes.ts";
import { dashboardRoutes } from "./dashboard.ts";
import type { EventDeps } from "./deps.ts";
import { eventRoutes } from "./event-routes.ts";
import { lifecycleRoutes } from "./lifecycle.ts";
import { organizationSettingsRoutes } from "./organization-settings.ts";
import { reviewRoutes } from "./review.ts";
import { speakerRoutes } from "./speaker-routes.ts";
import { teamRoutes } from "./team-routes.ts";

export type { EventDeps } from "./deps.ts";

export function registerEventRoutes(app: FastifyInstance, deps: EventDeps) {
  eventRoutes(app, deps);
  lifecycleRoutes(app, deps);
  reviewRoutes(app, deps);
  agendaRoutes(app, deps);
  speakerRoutes(app, deps);
  teamRoutes(app, deps);
  invitationRoutes(app, deps);
  dashboardRoutes(app, deps);
  organizationSettingsRoutes(app, deps);
}
