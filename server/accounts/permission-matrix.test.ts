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
  "PATCH /api/organizations/:id/members/:userId": ["signed_in", "events:write"],
  "POST /api/organizations/:id/invitations": ["signed_in", "events:write"],
  "POST /api/invitations/:invitationId/resend": ["signed_in", "events:write"],
  "DELETE /api/invitations/:invitationId": ["signed_in", "events:write"],
  "POST /api/invitations/preview": ["anyone", null],
  "POST /api/invitations/accept": ["signed_in", null],
  "DELETE /api/organizations/:id/members/:userId": ["signed_in", "events:write"],
  // Organizer side of events (server/events).
  "GET /api/organize/events": ["signed_in", "events:read"],
  "POST /api/organize/events": ["signed_in", "events:write"],
  "GET /api/organize/events/:id": ["signed_in", "events:read"],
  "PATCH /api/organize/events/:id": ["signed_in", "events:write"],
  "DELETE /api/organize/events/:id": ["signed_in", "events:write"],
  "PUT /api/organize/events/:id/cover": ["signed_in", "events:write"],
  "DELETE /api/organize/events/:id/cover": ["signed_in", "events:write"],
  "GET /api/images/events/:id/cover": ["anyone", null],
  "POST /api/organize/events/:id/duplicate": ["signed_in", "events:write"],
  "POST /api/organize/events/:id/cancel": ["signed_in", "events:write"],
  "POST /api/organize/events/:id/submit": ["signed_in", "events:write"],
  "PUT /api/organize/events/:id/visibility": ["signed_in", "events:write"],
  "GET /api/admin/events": ["admin", "admin"],
  "POST /api/admin/events/:id/review": ["admin", "admin"],
  "POST /api/organize/events/:id/sessions": ["signed_in", "events:write"],
  "PATCH /api/organize/sessions/:sessionId": ["signed_in", "events:write"],
  "DELETE /api/organize/sessions/:sessionId": ["signed_in", "events:write"],
  "POST /api/organize/events/:id/speakers": ["signed_in", "events:write"],
  "PATCH /api/organize/speakers/:speakerId": ["signed_in", "events:write"],
  "DELETE /api/organize/speakers/:speakerId": ["signed_in", "events:write"],
  "PUT /api/organize/speakers/:speakerId/photo": ["signed_in", "events:write"],
  "GET /api/images/speakers/:speakerId": ["anyone", null],
  "POST /api/organize/events/:id/team/invites": ["signed_in", "events:write"],
  "PATCH /api/organize/events/:id/team/:userId": ["signed_in", "events:write"],
  "DELETE /api/organize/events/:id/team/:userId": ["signed_in", "events:write"],
  "GET /api/organize/events/:id/dashboard": ["signed_in", "events:read"],
  "PUT /api/organizations/:id/logo": ["signed_in", "events:write"],
  "DELETE /api/organizations/:id/logo": ["signed_in", "events:write"],
  "GET /api/images/organizations/:id/logo": ["anyone", null],
  "POST /api/organizations/:id/payout/onboarding": ["signed_in", "events:write"],
  "POST /api/organizations/:id/payout/refresh": ["signed_in", "events:write"],
  "GET /api/events/:id/checkin-lists": ["signed_in", "events:write"],
  "POST /api/events/:id/checkin-lists": ["signed_in", "events:write"],
  "PATCH /api/checkin-lists/:listId": ["signed_in", "events:write"],
  "DELETE /api/checkin-lists/:listId": ["signed_in", "events:write"],
  "GET /api/checkin-lists/:listId/offline": ["signed_in", "events:write"],
  "POST /api/checkin-lists/:listId/scans": ["signed_in", "events:write"],
  "GET /api/checkin-lists/:listId/attendees": ["signed_in", "events:write"],
  "GET /api/discover/events": ["anyone", null],
  "GET /api/discover/events/:slug": ["anyone", null],
  // Notifications, announcements, reminders, jobs admin (server/notifications).
  "GET /api/notifications": ["signed_in", "profile:read"],
  "POST /api/notifications/read": ["signed_in", "profile:write"],
  "POST /api/notifications/unsubscribe": ["anyone", null],
  "POST /api/events/:id/announcements": ["signed_in", "events:write"],
  "GET /api/events/:id/announcements": ["signed_in", "events:write"],
  "POST /api/events/:id/reminders/plan": ["signed_in", "events:write"],
  "GET /api/polls/:pollId/results.csv": ["signed_in", null],
  "GET /api/admin/jobs": ["admin", "admin"],
  "POST /api/admin/jobs/:id/retry": ["admin", "admin"],
  "GET /api/events/:id/revenue": ["signed_in", "events:read"],
  "GET /api/events/:id/revenue/orders": ["signed_in", "events:read"],
  "GET /api/events/:id/revenue/disputes": ["signed_in", "events:read"],
  "GET /api/organizations/:id/revenue": ["signed_in", "events:read"],
  "GET /api/orders/:orderId/refunds": ["signed_in", "events:read"],
  "POST /api/orders/:orderId/refunds": ["signed_in", "events:write"],
  "GET /api/orders/:orderId/cancellation": ["signed_in", "events:write"],
  "POST /api/orders/:orderId/cancel": ["signed_in", "events:write"],
  "GET /api/orders/:orderId/receipt": ["signed_in", "events:read"],
  "GET /api/admin/revenue": ["admin", "admin"],
  "PUT /api/admin/commission": ["admin", "admin"],
  "PUT /api/admin/organizations/:id/commission": ["admin", "admin"],
  // Chat, polls, Q&A, reactions: signed in to try; tickets and team roles decide in the handler.
  "message chat.join": ["signed_in", null],
  "message chat.leave": ["signed_in", null],
  "message chat.history": ["signed_in", null],
  "message chat.send": ["signed_in", null],
  "message chat.react": ["signed_in", null],
  "message chat.delete": ["signed_in", null],
  "message chat.report": ["signed_in", null],
  "message chat.reports": ["signed_in", null],
  "message chat.block": ["signed_in", null],
  "message chat.unblock": ["signed_in", null],
  "message chat.read": ["signed_in", null],
  "message chat.unread": ["signed_in", null],
  "message chat.mute": ["signed_in", null],
  "message chat.pin": ["signed_in", null],
  "message chat.settings": ["signed_in", null],
  "message chat.open": ["signed_in", null],
  "message chat.conversations": ["signed_in", null],
  "message chat.reports.resolve": ["signed_in", null],
  "message chat.mutes": ["signed_in", null],
  "message poll.subscribe": ["signed_in", null],
  "message poll.create": ["signed_in", null],
  "message poll.open": ["signed_in", null],
  "message poll.close": ["signed_in", null],
  "message poll.vote": ["signed_in", null],
  "message qa.subscribe": ["signed_in", null],
  "message qa.ask": ["signed_in", null],
  "message qa.upvote": ["signed_in", null],
  "message qa.moderate": ["signed_in", null],
  "message qa.settings": ["signed_in", null],
  "message reaction.subscribe": ["signed_in", null],
  "message reaction.send": ["signed_in", null],
  "message notify.subscribe": ["signed_in", "profile:read"],
  // Ticketing (server/ticketing, server/tickets).
  "GET /api/events/:id/ticket-types": ["signed_in", "events:write"],
  "POST /api/events/:id/ticket-types": ["signed_in", "events:write"],
  "PATCH /api/ticket-types/:id": ["signed_in", "events:write"],
  "DELETE /api/ticket-types/:id": ["signed_in", "events:write"],
  "GET /api/events/:id/promo-codes": ["signed_in", "events:write"],
  "POST /api/events/:id/promo-codes": ["signed_in", "events:write"],
  "DELETE /api/promo-codes/:id": ["signed_in", "events:write"],
  "GET /api/events/:id/registration-questions": ["signed_in", "events:write"],
  "POST /api/events/:id/registration-questions": ["signed_in", "events:write"],
  "DELETE /api/registration-questions/:id": ["signed_in", "events:write"],
  "GET /api/events/:id/offer": ["anyone", null],
  "POST /api/events/:id/checkout": ["signed_in", null],
  "POST /api/events/:id/guest-checkout": ["anyone", null],
  "GET /api/guest-orders/:orderId": ["anyone", null],
  "GET /api/guest-orders/:orderId/calendar.ics": ["anyone", null],
  "POST /api/guest-orders/:orderId/abandon": ["anyone", null],
  "GET /api/guest-orders/:orderId/cancellation": ["anyone", null],
  "POST /api/guest-orders/:orderId/cancel": ["anyone", null],
  "GET /api/guest-orders/:orderId/receipt": ["anyone", null],
  "GET /api/orders": ["signed_in", "events:read"],
  "GET /api/orders/:orderId": ["signed_in", "events:read"],
  "POST /api/orders/:orderId/abandon": ["signed_in", null],
  "GET /api/orders/:orderId/calendar.ics": ["signed_in", "events:read"],
  "GET /api/events/:id/orders": ["signed_in", "events:read"],
  "POST /api/ticket-types/:id/waitlist": ["signed_in", null],
  "DELETE /api/waitlist/:id": ["signed_in", null],
  "GET /api/tickets": ["signed_in", "events:read"],
  "GET /api/tickets/:id/calendar.ics": ["signed_in", "events:read"],
  "POST /api/payments/stripe/webhook": ["anyone", null],
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
  // Room messages: anyone joined may try; the room role from the join token decides (sfu/room-messages.ts).
  "message room.state": ["anyone", null],
  "message room.participants": ["anyone", null],
  "message room.hand.raise": ["anyone", null],
  "message room.hand.lower": ["anyone", null],
  "message room.peer.setRole": ["anyone", null],
  "message room.peer.mute": ["anyone", null],
  "message room.peer.allowUnmute": ["anyone", null],
  "message room.peer.stopScreen": ["anyone", null],
  "message room.peer.remove": ["anyone", null],
  "message room.lock": ["anyone", null],
  "message room.lobby.admit": ["anyone", null],
  "message room.lobby.deny": ["anyone", null],
  "message room.end": ["anyone", null],
  // Feedback, sponsors, public speaker pages (server/feedback, server/sponsors, server/speakers-public).
  "GET /api/events/:id/feedback/form": ["signed_in", null],
  "PUT /api/events/:id/ratings": ["signed_in", null],
  "PUT /api/events/:id/survey-answers": ["signed_in", null],
  "POST /api/ratings/:ratingId/report": ["signed_in", null],
  "GET /api/events/:id/ratings/summary": ["anyone", null],
  "GET /api/events/:id/ratings": ["anyone", null],
  "POST /api/organize/events/:id/survey-questions": ["signed_in", "events:write"],
  "POST /api/organize/events/:id/feedback/invitations": ["signed_in", "events:write"],
  "DELETE /api/organize/survey-questions/:questionId": ["signed_in", "events:write"],
  "PUT /api/organize/ratings/:ratingId/reply": ["signed_in", "events:write"],
  "PUT /api/organize/ratings/:ratingId/featured": ["signed_in", "events:write"],
  "GET /api/organize/events/:id/feedback": ["signed_in", "events:read"],
  "GET /api/organize/events/:id/feedback.csv": ["signed_in", "events:read"],
  "GET /api/admin/ratings/reported": ["admin", "admin"],
  "PUT /api/admin/ratings/:ratingId/hidden": ["admin", "admin"],
  "GET /api/events/:id/sponsors": ["anyone", null],
  "POST /api/organize/events/:id/sponsor-tiers": ["signed_in", "events:write"],
  "PATCH /api/organize/sponsor-tiers/:tierId": ["signed_in", "events:write"],
  "DELETE /api/organize/sponsor-tiers/:tierId": ["signed_in", "events:write"],
  "POST /api/organize/events/:id/sponsors": ["signed_in", "events:write"],
  "PATCH /api/organize/sponsors/:sponsorId": ["signed_in", "events:write"],
  "DELETE /api/organize/sponsors/:sponsorId": ["signed_in", "events:write"],
  "GET /api/organize/events/:id/sponsors/stats": ["signed_in", "events:read"],
  "POST /api/sponsors/impressions": ["anyone", null],
  "GET /api/sponsors/:sponsorId/visit": ["anyone", null],
  "GET /api/speakers/:speakerId": ["anyone", null],
  "GET /api/organizers/:slug": ["anyone", null],
  "GET /api/organizations/:id/ratings": ["anyone", null],
  "message sponsors.overlay.watch": ["signed_in", null],
  "message sponsors.overlay.control": ["signed_in", null],
  "POST /api/rooms/:sessionId/join-token": ["signed_in", null],
  "POST /api/sessions/:sessionId/recording/start": ["signed_in", "events:write"],
  "POST /api/sessions/:sessionId/recording/stop": ["signed_in", "events:write"],
  "POST /api/sessions/:sessionId/recording/markers": ["signed_in", "events:write"],
  "message recording.watch": ["signed_in", "events:write"],
  "message recording.list.watch": ["anyone", null],
  "message checkin.watch": ["signed_in", "events:read"],
  "message checkin.unwatch": ["signed_in", "events:read"],
  "GET /api/sessions/:sessionId/recording": ["anyone", null],
  "GET /api/events/:eventId/recordings": ["anyone", null],
  "PATCH /api/recordings/:id": ["signed_in", "events:write"],
  "DELETE /api/recordings/:id": ["signed_in", "events:write"],
  "POST /api/recordings/:id/retry": ["signed_in", "events:write"],
  "POST /api/recordings/:id/playback": ["anyone", null],
  "GET /api/recordings/media/:token/:file": ["anyone", null],
  "GET /api/organize/events/:id/stream-destinations": ["signed_in", "events:read"],
  "POST /api/organize/events/:id/stream-destinations": ["signed_in", "events:write"],
  "PATCH /api/organize/stream-destinations/:destinationId": ["signed_in", "events:write"],
  "DELETE /api/organize/stream-destinations/:destinationId": ["signed_in", "events:write"],
  "GET /api/sessions/:sessionId/stream": ["anyone", null],
  "POST /api/sessions/:sessionId/stream/start": ["signed_in", "events:write"],
  "POST /api/sessions/:sessionId/stream/stop": ["signed_in", "events:write"],
  "POST /api/sessions/:sessionId/stream/watch": ["anyone", null],
  "message stream.subscribe": ["anyone", null],
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
      // Requests below are addressed to this name; names not listed are answered 421.
      PLENARY_HTTP_ALLOWED_HOSTS: HOST,
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
