/**
 * First run: until an admin exists, the web app asks for one. Whoever reaches the server
 * first could claim it, so the request must carry a one-time code that the server prints
 * to its own console, which only the person who installed it can read. The new admin is
 * signed in at once: asking for the password they just chose is a needless first hurdle.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import { sessionClient } from "../accounts/context.ts";
import { setSessionCookie } from "../accounts/http-auth.ts";
import { createSession } from "../accounts/sessions.ts";
import { adminExists, createUser, newUserSchema, publicUser } from "../accounts/users.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import { getSetting, setSetting } from "../settings.ts";
import { VERSION } from "../version.ts";

export class SetupGate {
  /** The code that proves the caller can read the server's console. */
  readonly token = randomBytes(18).toString("base64url");

  matches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

const firstRunSchema = newUserSchema.extend({
  token: z.string().min(1, "Enter the setup code from the server console"),
  publicUrl: z
    .url({ protocol: /^https?$/, message: "Enter the http:// or https:// address people will use" })
    .transform((u) => u.replace(/\/+$/, "")),
});

/** `sessionDays`: how long the new admin's session lasts (accounts.session_days). */
export function firstRunRoutes(app: FastifyInstance, db: Kysely<DB>, gate: SetupGate, sessionDays: number) {
  app.get("/api/setup/status", { config: { action: "setup.status" } }, async () => ({
    needsFirstRun: !(await adminExists(db)),
    publicUrl: await getSetting(db, "public_url"),
    version: VERSION,
  }));

  app.post("/api/setup/first-run", { config: { action: "setup.firstRun" } }, async (request, reply) => {
    const input = parseBody(firstRunSchema, request.body);
    if (!gate.matches(input.token)) {
      throw AppError.forbidden("bad_setup_token", "That setup code is not the one the server printed at start");
    }
    const user = await db.transaction().execute(async (trx) => {
      if (await adminExists(trx)) throw AppError.conflict("already_set_up", "This server already has an admin");
      const admin = await createUser(trx, input, "admin", { emailVerified: true });
      await setSetting(trx, "public_url", input.publicUrl);
      return admin;
    });
    const session = await createSession(db, user.id, sessionClient(request), sessionDays);
    setSessionCookie(request, reply, session.token, session.expiresAt);
    request.log.info({ userId: user.id, sessionId: session.id }, "first-run admin created and signed in");
    return reply.code(201).send({ user: publicUser(user) });
  });
}
