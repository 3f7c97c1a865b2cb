/** Sponsors wired into the server: HTTP routes and the live overlay's realtime messages. */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { registerOverlayMessages, SponsorOverlays } from "./overlay.ts";
import { sponsorRoutes } from "./routes.ts";

export function registerSponsors(app: FastifyInstance, router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout; log: Logger }): { close(): void } {
  sponsorRoutes(app, deps.db);
  const overlays = new SponsorOverlays(deps.db, deps.fanout, deps.log);
  registerOverlayMessages(router, { ...deps, overlays });
  return { close: () => overlays.close() };
}
