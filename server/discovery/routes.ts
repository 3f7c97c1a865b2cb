/**
 * Discovery over HTTP: the public event list and one event's public page data. Both are
 * open to anyone; what a caller sees is decided by listing.ts and event-page.ts.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { accessCodeGuard } from "./access-codes.ts";
import { readPublicEvent } from "./event-page.ts";
import { listEvents, listingQuerySchema } from "./listing.ts";

const slugParams = z.object({ slug: z.string().min(1).max(120) });
const codeQuery = z.object({ code: z.string().max(200).optional() });

export function discoveryRoutes(app: FastifyInstance, db: Kysely<DB>) {
  app.get("/api/discover/events", { config: { action: "event.discover" } }, async (request) => {
    return listEvents(db, parseBody(listingQuerySchema, request.query));
  });

  app.get("/api/discover/events/:slug", { config: { action: "event.readPublic" } }, async (request, reply) => {
    const { slug } = parseBody(slugParams, request.params);
    const { code } = parseBody(codeQuery, request.query);
    if (code) await accessCodeGuard.assertMayTry(db, request.ip);
    const event = await readPublicEvent(db, request.actor, slug, code).catch(async (error: unknown) => {
      if (code && error instanceof AppError && error.status === 404) await accessCodeGuard.wrong(db, request.ip);
      throw error;
    });
    if (event.accessCode === "rejected") await accessCodeGuard.wrong(db, request.ip);
    // What a viewer sees depends on who they are; never from a shared cache.
    reply.header("cache-control", "private, no-cache");
    return { event };
  });
}
