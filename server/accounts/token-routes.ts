/**
 * The token endpoint for API clients: a password log-in (or a refresh token) buys a
 * short-lived access token and a new refresh token; the signing keys are published as a
 * JWK set so other services can verify tokens themselves.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { parseBody } from "../http/validate.ts";
import { logInSchema } from "./auth-routes.ts";
import { ACCESS_TOKEN_SECONDS, issueRefreshToken, mintAccessToken, revokeRefreshFamily, rotateRefreshToken } from "./bearer-tokens.ts";
import type { AccountDeps } from "./context.ts";
import { checkPassword } from "./credentials.ts";
import type { SigningKeys } from "./keys.ts";

const tokenRequestSchema = z.discriminatedUnion("grantType", [
  logInSchema.extend({ grantType: z.literal("password") }),
  z.strictObject({ grantType: z.literal("refresh_token"), refreshToken: z.string().min(10).max(200) }),
]);

export function tokenRoutes(app: FastifyInstance, deps: AccountDeps, keys: SigningKeys) {
  const { db } = deps;

  app.post("/api/auth/token", { config: { action: "account.token" } }, async (request) => {
    const input = parseBody(tokenRequestSchema, request.body);
    let userId: string;
    let role: "user" | "admin";
    let refreshToken: string;
    if (input.grantType === "password") {
      const user = await checkPassword(deps, request, input.email, input.password);
      userId = user.id;
      role = user.role;
      refreshToken = await issueRefreshToken(db, user.id);
    } else {
      ({ userId, role, refreshToken } = await rotateRefreshToken(db, input.refreshToken));
    }
    return {
      tokenType: "Bearer",
      accessToken: await mintAccessToken(keys, userId, role),
      expiresIn: ACCESS_TOKEN_SECONDS,
      refreshToken,
    };
  });

  app.post("/api/auth/token/revoke", { config: { action: "account.token.revoke" } }, async (request, reply) => {
    const { refreshToken } = parseBody(z.strictObject({ refreshToken: z.string().min(10).max(200) }), request.body);
    // Unknown tokens get the same answer (RFC 7009): nothing to learn by guessing.
    await revokeRefreshFamily(db, refreshToken);
    return reply.code(204).send();
  });

  app.get("/api/auth/jwks", { config: { action: "account.jwks" } }, async () => keys.publicJwks());
}
