/**
 * The permission matrix: every HTTP route (collected as the real app registered them) and
 * every realtime message, against every kind of caller, checked for allow and deny through
 * the real request path. A route or message missing from EXPECTED fails here, so nothing
 * new ships without someone deciding who may call it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { createLogger } from "../log.ts";
import { startServer, type RunningServer } from "../server.ts";
import type { ConnectionUser } from "../realtime/connection.ts";
import { type ApiScope } from "./actor.ts";
import { createApiToken } from "./api-tokens.ts";
import { createRealtimeGate } from "./realtime-gate.ts";
import { RULES } from "./policy.ts";
import { createSession } from "./sessions.ts";
import { createUser } from "./users.ts";

type Caller = "anonymous" | "user" | "admin" | "user_token" | "admin_token";
const CALLERS: Caller[] = ["anonymous", "user", "admin", "user_token", "admin_token"];
/** Who may call, and the API token scope that lets a token call (null: no token may). */
type Expectation = [who: "anyone" | "signed_in" | "admin", tokenScope: ApiScope | null];

const EXPECTED: Record<string, Expectation> = {
  "GET /api/setup/status": ["anyone", null],
  "POST /api/setup/first-run": ["anyone", null],
  "POST /api/auth/sign-up": ["anyone", null],
  "POST /api/auth/verify-email": ["anyone", null],
  "POST /api/auth/log-in": ["anyone", null],
  "POST /api/auth/request-password-reset": ["anyone", null],
  "POST /api/auth/reset-password": ["anyone", null],
  "POST /api/auth/token": ["anyone", null],
  "POST /api/auth/token/revoke": ["anyone", null],
  "GET /api/auth/jwks": ["anyone", null],
  "GET /api/auth/oauth/providers": ["anyone", null],
  "GET /api/auth/oauth/:provider/start": ["anyone", null],
  "GET /api/auth/oauth/:provider/callback": ["anyone", null],
  "GET /api/account/oauth": ["signed_in", "profile:read"],
  "PUT /api/account/avatar": ["signed_in", "profile:write"],
  "DELETE /api/account/avatar": ["signed_in", "profile:write"],
  "GET /api/users/:id/avatar": ["anyone", null],
  "DELETE /api/account/oauth/:provider": ["signed_in", null],
  "POST /api/auth/log-out": ["signed_in", null],
  "POST /api/auth/log-out-everywhere": ["signed_in", null],
  "GET /api/account": ["signed_in", "profile:read"],
  "PATCH /api/account": ["signed_in", "profile:write"],
  "DELETE /api/account": ["signed_in", null],
  "POST /api/account/resend-verification": ["signed_in", null],
  "GET /api/account/sessions": ["signed_in", null],
  "DELETE /api/account/sessions/:id": ["signed_in", null],
  "POST /api/account/password": ["signed_in", null],
  "GET /api/account/api-tokens": ["signed_in", null],
  "POST /api/account/api-tokens": ["signed_in", null],
  "DELETE /api/account/api-tokens/:id": ["signed_in", null],
  "GET /api/admin/users": ["admin", "admin"],
  "GET /api/admin/users/:id": ["admin", "admin"],
  "POST /api/admin/users/:id/role": ["admin", "admin"],
  "POST /api/admin/users/:id/ban": ["admin", "admin"],
  "POST /api/admin/users/:id/unban": ["admin", "admin"],
  "POST /api/admin/users/:id/force-password-reset": ["admin", "admin"],
  "GET /api/admin/audit": ["admin", "admin"],
  "GET /api/admin/outbox": ["admin", "admin"],
  "POST /api/organizations": ["signed_in", "events:write"],
  "GET /api/organizations": ["signed_in", "events:read"],
  "GET /api/organizations/:id": ["signed_in", "events:read"],
  "PATCH /api/organizations/:id": ["signed_in", "events:write"],
  "DELETE /api/organizations/:id": ["signed_in", "events:write"],
  "PUT /api/organizations/:id/members": ["signed_in", "events:write"],
  "DELETE /api/organizations/:id/members/:userId": ["signed_in", "events:write"],
  "GET /api/events/:id/checkin-lists": ["signed_in", "events:write"],
  "POST /api/events/:id/checkin-lists": ["signed_in", "events:write"],
  "PATCH /api/checkin-lists/:listId": ["signed_in", "events:write"],
  "DELETE /api/checkin-lists/:listId": ["signed_in", "events:write"],
  "GET /api/checkin-lists/:listId/offline": ["signed_in", "events:write"],
  "POST /api/checkin-lists/:listId/scans": ["signed_in", "events:write"],
  "GET /api/checkin-lists/:listId/attendees": ["signed_in", "events:write"],
  "message sys.ping": ["anyone", null],
  "message sys.echo": ["anyone", null],
  // Media messages: anyone may try; the room join token's grants decide (sfu/signaling.ts).
  "message media.join": ["anyone", null],
  "message media.routerCapabilities": ["anyone", null],
  "message media.capabilities": ["anyone", null],
  "message media.transport.create": ["anyone", null],
  "message media.transport.connect": ["anyone", null],
  "message media.transport.restartIce": ["anyone", null],
  "message media.produce": ["anyone", null],
  "message media.producer.pause": ["anyone", null],
  "message media.producer.resume": ["anyone", null],
  "message media.producer.close": ["anyone", null],
  "message media.consume": ["anyone", null],
  "message media.consumeMany": ["anyone", null],
  "message media.consumer.resume": ["anyone", null],
  "message media.consumers.resume": ["anyone", null],
  "message media.consumer.pause": ["anyone", null],
  "message media.consumer.setPreferredLayers": ["anyone", null],
  "message media.leave": ["anyone", null],
};

function expectedAllowed([who, scope]: Expectation, caller: Caller): boolean {
  if (who === "anyone") return true;
  switch (caller) {
    case "anonymous":
      return false;
    case "user":
      return who === "signed_in";
    case "admin":
      return true;
    case "user_token":
      return who === "signed_in" && scope !== null && scope !== "admin";
    case "admin_token":
      return scope !== null;
  }
}

const HOST = "plenary.test";
const dir = mkdtempSync(path.join(tmpdir(), "plenary-matrix-"));
let server: RunningServer;
const ids: Record<"user" | "admin", string> = { user: "", admin: "" };
const tokens: Record<"user_token" | "admin_token", string> = { user_token: "", admin_token: "" };

beforeAll(async () => {
  const config = loadConfig({
    file: undefined,
    env: {
      PLENARY_DATA_DIR: dir,
      PLENARY_HTTP_PORT: "0",
      // One media worker on free loopback ports, so this runs beside other servers.
      PLENARY_SFU_WORKERS: "1",
      PLENARY_SFU_RTC_PORT: "0",
      PLENARY_SFU_LISTEN_IP: "127.0.0.1",
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
    },
  });
  server = await startServer(config, createLogger("silent"), { clientDir: path.join(dir, "no-client") });
  const password = "matrix password 1";
  ids.user = (await createUser(server.db, { email: "u@example.org", displayName: "U", password }, "user", { emailVerified: true })).id;
  ids.admin = (await createUser(server.db, { email: "a@example.org", displayName: "A", password }, "admin", { emailVerified: true })).id;
  const userScopes: ApiScope[] = ["profile:read", "profile:write", "events:read", "events:write"];
  tokens.user_token = (await createApiToken(server.db, ids.user, { name: "all", scopes: userScopes })).token;
  tokens.admin_token = (await createApiToken(server.db, ids.admin, { name: "all", scopes: [...userScopes, "admin"] })).token;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Credentials for one request; sessions are fresh each time, since some routes end them. */
async function credentials(caller: Caller): Promise<Record<string, string>> {
  switch (caller) {
    case "anonymous":
      return {};
    case "user":
    case "admin": {
      const session = await createSession(server.db, ids[caller], { userAgent: "", ip: "" }, 30);
      return { cookie: `plenary_session=${session.token}` };
    }
    case "user_token":
    case "admin_token":
      return { authorization: `Bearer ${tokens[caller]}` };
  }
}

describe("the permission matrix", () => {
  it("has an expectation for every route and message, and a policy rule for every action", () => {
    const declared = [
      ...server.app.apiRoutes.map((r) => `${r.method} ${r.url}`),
      ...server.router.list().map((m) => `message ${m.type}`),
    ];
    expect(declared.filter((key) => !(key in EXPECTED)), "routes or messages missing from EXPECTED").toEqual([]);
    expect(Object.keys(EXPECTED).filter((key) => !declared.includes(key)), "EXPECTED names what no longer exists").toEqual([]);
    for (const route of [...server.app.apiRoutes, ...server.router.list()]) {
      expect(route.action in RULES, route.action).toBe(true);
      if (route.access) {
        const who = RULES[route.action as keyof typeof RULES].who;
        expect({ anyone: "anyone", user: "signed_in", admin: "admin" }[route.access], `${route.action} access`).toBe(who);
      }
    }
  });

  it("allows and denies every route to every caller through the real request path", async () => {
    const mismatches: string[] = [];
    for (const route of server.app.apiRoutes) {
      const expectation = EXPECTED[`${route.method} ${route.url}`];
      for (const caller of CALLERS) {
        const response = await server.app.inject({
          method: route.method as "GET",
          url: route.url.replace(/:(\w+)/g, "00000000-0000-4000-8000-000000000000"),
          headers: { host: HOST, origin: `http://${HOST}`, "content-type": "application/json", ...(await credentials(caller)) },
          payload: route.method === "GET" ? undefined : "{}",
        });
        const body = (response.body ? response.json() : {}) as { error?: { code: string } };
        const denied = response.statusCode === 401 || (response.statusCode === 403 && body.error?.code === "forbidden");
        if (denied === expectedAllowed(expectation, caller)) {
          mismatches.push(`${route.method} ${route.url} as ${caller}: ${response.statusCode} ${body.error?.code ?? ""}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("allows and denies every realtime message to every connected caller", () => {
    const gate = createRealtimeGate(loadConfig({ file: undefined, env: {} }), server.db);
    const users: Partial<Record<Caller, ConnectionUser | null>> = {
      anonymous: null,
      user: { id: ids.user, role: "user", sessionId: "s" },
      admin: { id: ids.admin, role: "admin", sessionId: "s" },
    };
    for (const message of server.router.list()) {
      for (const [caller, user] of Object.entries(users) as [Caller, ConnectionUser | null][]) {
        expect(gate.authorize(user, message.action), `${message.type} as ${caller}`).toBe(
          expectedAllowed(EXPECTED[`message ${message.type}`], caller),
        );
      }
    }
  });

  it("denies an action the policy does not know", () => {
    const gate = createRealtimeGate(loadConfig({ file: undefined, env: {} }), server.db);
    expect(gate.authorize({ id: ids.admin, role: "admin", sessionId: "s" }, "nothing.known")).toBe(false);
  });
});
