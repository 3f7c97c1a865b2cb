/** Every HTTP route of the accounts module. */
import type { FastifyInstance } from "fastify";
import { accountRoutes } from "./account-routes.ts";
import { adminRoutes } from "./admin-routes.ts";
import { authRoutes } from "./auth-routes.ts";
import { avatarRoutes } from "./avatars.ts";
import type { AccountDeps } from "./context.ts";
import type { SigningKeys } from "./keys.ts";
import { oauthRoutes } from "./oauth/routes.ts";
import { tokenRoutes } from "./token-routes.ts";

export function registerAccountRoutes(app: FastifyInstance, deps: AccountDeps, keys: SigningKeys): void {
  authRoutes(app, deps);
  tokenRoutes(app, deps, keys);
  oauthRoutes(app, deps);
  accountRoutes(app, deps);
  adminRoutes(app, deps);
  avatarRoutes(app, deps);
}
