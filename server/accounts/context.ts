/** What the account routes need, built once by the composition root. */
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { CloseCode } from "../realtime/close-codes.ts";
import type { SessionClient } from "./sessions.ts";
import type { Throttle } from "./throttle.ts";

/** The realtime side, as far as accounts need it: cutting off a user's open sockets. */
export interface SocketControl {
  closeUser(userId: string, code: CloseCode): number;
  closeSessions(sessionIds: readonly string[], code: CloseCode): number;
}

export type AccountDeps = {
  db: Kysely<DB>;
  config: LoadedConfig;
  mailer: Mailer;
  throttle: Throttle;
  sockets: SocketControl;
};

/** The address links in e-mails point to (server/http/public-url.ts): never the request's Host. */
export async function publicBaseUrl(_deps: AccountDeps, request: FastifyRequest): Promise<string> {
  return request.server.publicBaseUrl();
}

export function sessionClient(request: FastifyRequest): SessionClient {
  return { userAgent: request.headers["user-agent"] ?? "", ip: request.ip };
}

/** Counts the request against its IP's limit and refuses it past the limit. */
export function limitIp(deps: AccountDeps, request: FastifyRequest): void {
  const wait = deps.throttle.hitIp(request.ip);
  if (wait > 0) throw tooMany(wait);
}

export function tooMany(seconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return new AppError("rate_limited", 429, `Too many attempts; try again in ${minutes} minute${minutes > 1 ? "s" : ""}`);
}
