/**
 * Admin user management end to end: search, roles, bans that cut live WebSockets,
 * forced password resets, the audit log; then the outbox, API tokens and proxies.
 */
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, logIn, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { linkToken, TestSmtpServer } from "../support/smtp.ts";
import { TestSocket } from "../support/ws-client.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let admin: TestClient;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  admin = await firstAdmin(server);
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

function socketFor(client: TestClient, origin = server.url) {
  return TestSocket.open(server.url, { headers: { cookie: client.cookieHeader, origin } });
}

async function userId(email: string): Promise<string> {
  const found = await admin.get(`/api/admin/users?q=${encodeURIComponent(email)}`);
  return found.body.users[0].id;
}

describe("admin user management", () => {
  it("lists and searches users, and shows one with their sessions", async () => {
    await verifiedUser(server, smtp, "nia@example.org", "Nia Nakamura");
    const all = await admin.get("/api/admin/users");
    expect(all.status).toBe(200);
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const byName = await admin.get("/api/admin/users?q=nakamura");
    expect(byName.body.users.map((u: { email: string }) => u.email)).toEqual(["nia@example.org"]);
    const wildcard = await admin.get("/api/admin/users?q=%25");
    expect(wildcard.body.users).toHaveLength(0);
    const admins = await admin.get("/api/admin/users?role=admin");
    expect(admins.body.users.map((u: { email: string }) => u.email)).toEqual(["admin@example.org"]);
    const one = await admin.get(`/api/admin/users/${await userId("nia@example.org")}`);
    expect(one.body.user.displayName).toBe("Nia Nakamura");
    expect(one.body.sessions).toHaveLength(1);
    expect((await admin.get("/api/admin/users?limit=0")).status).toBe(400);
    expect((await admin.get("/api/admin/users/not-a-uuid")).status).toBe(400);
  });

  it("changes a role, audited with before and after, and refuses to demote the last admin", async () => {
    await verifiedUser(server, smtp, "oli@example.org");
    const id = await userId("oli@example.org");
    const promoted = await admin.post(`/api/admin/users/${id}/role`, { role: "admin" });
    expect(promoted.body.user.role).toBe("admin");
    const audit = await admin.get(`/api/admin/audit?targetId=${id}`);
    expect(audit.body.entries[0]).toMatchObject({
      action: "admin.users.setRole",
      target: { type: "user", id },
      before: { role: "user" },
      after: { role: "admin" },
      actor: { kind: "admin" },
    });
    expect((await admin.post(`/api/admin/users/${id}/role`, { role: "user" })).status).toBe(200);
    const self = (await admin.get("/api/account")).body.user.id;
    const lastAdmin = await admin.post(`/api/admin/users/${self}/role`, { role: "user" });
    expect(lastAdmin.status).toBe(409);
    expect(lastAdmin.body.error.code).toBe("last_admin");
  });

  it("bans a user: every session and open WebSocket ends at once (4403), and log-in says why", async () => {
    const pat = await verifiedUser(server, smtp, "pat@example.org");
    const second = new TestClient(server.url);
    await logIn(second, "pat@example.org");
    const sockets = [await socketFor(pat), await socketFor(pat), await socketFor(second)];
    for (const socket of sockets) expect((await socket.request("sys.ping")).t).toBe("ok");
    const bystander = await socketFor(admin);

    const id = await userId("pat@example.org");
    const banned = await admin.post(`/api/admin/users/${id}/ban`, { reason: "Spamming the chat" });
    expect(banned.status).toBe(200);
    expect(banned.body).toMatchObject({ sessionsEnded: 2, socketsClosed: 3, user: { banned: { reason: "Spamming the chat" } } });
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 4403, reason: "Banned" });
    expect((await bystander.request("sys.ping")).t).toBe("ok");
    bystander.close();

    expect((await pat.get("/api/account")).status).toBe(401);
    const login = await new TestClient(server.url).post("/api/auth/log-in", { email: "pat@example.org", password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.error).toMatchObject({ code: "account_banned", message: "This account is banned: Spamming the chat" });
    const wrongPassword = await new TestClient(server.url).post("/api/auth/log-in", { email: "pat@example.org", password: "not the password" });
    expect(wrongPassword.status).toBe(401);

    const audit = await admin.get(`/api/admin/audit?targetId=${id}`);
    expect(audit.body.entries[0]).toMatchObject({ action: "admin.users.ban", before: { bannedAt: null }, after: { banReason: "Spamming the chat" } });

    expect((await admin.post(`/api/admin/users/${id}/unban`)).status).toBe(200);
    await logIn(new TestClient(server.url), "pat@example.org");
    const self = (await admin.get("/api/account")).body.user.id;
    expect((await admin.post(`/api/admin/users/${self}/ban`, { reason: "oops" })).status).toBe(409);
    expect((await admin.post(`/api/admin/users/${id}/ban`, {})).status).toBe(400);
  });

  it("forces a password reset: the old password stops working and the owner gets a link", async () => {
    const quinn = await verifiedUser(server, smtp, "quinn@example.org");
    const id = await userId("quinn@example.org");
    const forced = await admin.post(`/api/admin/users/${id}/force-password-reset`);
    expect(forced.status).toBe(202);
    expect((await quinn.get("/api/account")).status).toBe(401);
    expect((await new TestClient(server.url).post("/api/auth/log-in", { email: "quinn@example.org", password: PASSWORD })).status).toBe(401);
    const mail = await smtp.next("quinn@example.org", (m) => m.subject === "Reset your password");
    expect(mail.text).toMatch(/administrator asked you/);
    expect((await quinn.post("/api/auth/reset-password", { token: linkToken(mail), password: "quinn's new password" })).status).toBe(200);
    await logIn(quinn, "quinn@example.org", "quinn's new password");
  });

  it("keeps admin routes from users and anonymous callers", async () => {
    const user = await verifiedUser(server, smtp, "ray@example.org");
    expect((await user.get("/api/admin/users")).status).toBe(403);
    expect((await user.get("/api/admin/outbox")).status).toBe(403);
    expect((await new TestClient(server.url).get("/api/admin/audit")).status).toBe(401);
  });
});

describe("the realtime connection", () => {
  it("knows the user from the session cookie and refuses a handshake from another site", async () => {
    const sam = await verifiedUser(server, smtp, "sam@example.org");
    const own = await socketFor(sam);
    expect((await own.request("sys.ping")).t).toBe("ok");
    expect((await sam.post("/api/auth/log-out")).status).toBe(204);
    expect(await own.closed).toEqual({ code: 4401, reason: "Unauthorized" });

    await logIn(sam, "sam@example.org");
    await expect(socketFor(sam, "https://evil.example")).rejects.toThrow(/403/);
    const stale = new TestClient(server.url);
    stale.cookies.set("plenary_session", "no-such-session-token-at-all-0000000000000");
    await expect(socketFor(stale)).rejects.toThrow(/401/);
    // No cookie: an anonymous connection, as before accounts.
    const anonymous = await TestSocket.open(server.url);
    expect((await anonymous.request("sys.ping")).t).toBe("ok");
    anonymous.close();
  });
});

describe("personal API tokens", () => {
  it("act as their user within their scopes, and stop when revoked", async () => {
    const tess = await verifiedUser(server, smtp, "tess@example.org");
    const created = await tess.post("/api/account/api-tokens", { name: "script", scopes: ["profile:read"] });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^plnr_pat_/);
    expect((await tess.post("/api/account/api-tokens", { name: "root", scopes: ["admin"] })).status).toBe(403);

    const script = new TestClient(server.url, { origin: null });
    script.bearer = created.body.token;
    const me = await script.get("/api/account");
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe("tess@example.org");
    expect((await script.patch("/api/account", { bio: "from a script" })).status).toBe(403);
    expect((await script.get("/api/account/sessions")).status).toBe(403);

    const list = await tess.get("/api/account/api-tokens");
    expect(list.body.tokens[0]).toMatchObject({ name: "script", scopes: ["profile:read"], lastUsedAt: expect.any(String) });
    expect(list.body.tokens[0].token).toBeUndefined();
    expect((await tess.delete(`/api/account/api-tokens/${created.body.id}`)).status).toBe(204);
    expect((await script.get("/api/account")).status).toBe(401);
    script.bearer = "garbage";
    expect((await script.get("/api/account")).body.error.code).toBe("unauthorized");
  });
});

describe("without SMTP, behind a proxy, with a tight IP limit", () => {
  let bare: TestServer;
  beforeAll(async () => {
    bare = await startServer({ env: { PLENARY_HTTP_TRUST_PROXY: "true", PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "6" } });
  });
  afterAll(() => bare?.stop());

  it("keeps mail in the outbox for admins, marks cookies Secure behind TLS, and limits requests per IP", async () => {
    const boss = await firstAdmin(bare);
    const visitor = new TestClient(bare.url);
    expect((await visitor.post("/api/auth/sign-up", { email: "uma@example.org", displayName: "Uma", password: PASSWORD })).status).toBe(202);
    const outbox = await boss.get("/api/admin/outbox?to=uma@example.org");
    expect(outbox.status).toBe(200);
    expect(outbox.body.messages).toHaveLength(1);
    expect(outbox.body.messages[0]).toMatchObject({ status: "stored", subject: "Confirm your e-mail address", template: "verify_email" });
    // The admin sees the mail with its link's token masked; the mail itself keeps it.
    expect(outbox.body.redacted).toBe(true);
    expect(outbox.body.messages[0].text).toContain("/verify-email?token=[redacted]");
    expect(outbox.body.messages[0].html).toContain("/verify-email?token=[redacted]");
    const stored = new SQLite(path.join(bare.dataDir, "plenary.sqlite"), { readonly: true });
    const mail = stored.prepare("select text_body from outbox where to_address = ?").get("uma@example.org") as { text_body: string };
    stored.close();
    const token = /token=([\w-]+)/.exec(mail.text_body)![1];
    expect(outbox.body.messages[0].text).not.toContain(token);
    const audit = await boss.get("/api/admin/audit");
    expect(audit.body.entries.find((e: { action: string }) => e.action === "admin.outbox.read")).toMatchObject({ after: { to: "uma@example.org", messageIds: [outbox.body.messages[0].id] } });
    expect((await visitor.post("/api/auth/verify-email", { token })).status).toBe(200);

    const tls = await visitor.request("POST", "/api/auth/log-in", { email: "uma@example.org", password: PASSWORD }, {
      "x-forwarded-proto": "https",
      origin: bare.url.replace("http:", "https:"),
    });
    expect(tls.status).toBe(200);
    expect(tls.headers.getSetCookie()[0]).toMatch(/; Secure/);

    // first-run log-in + sign-up + log-in = 3 so far; the limit is 6 per window.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await visitor.post("/api/auth/request-password-reset", { email: "uma@example.org" })).status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await visitor.post("/api/auth/log-in", { email: "uma@example.org", password: PASSWORD });
    expect(limited.status).toBe(429);
  });
});

describe("the token endpoint", () => {
  it("trades a password for an access token and a rotating refresh token", async () => {
    await verifiedUser(server, smtp, "val@example.org");
    const app = new TestClient(server.url, { origin: null });
    const wrong = await app.post("/api/auth/token", { grantType: "password", email: "val@example.org", password: "nope nope nope" });
    expect(wrong.status).toBe(401);
    const issued = await app.post("/api/auth/token", { grantType: "password", email: "val@example.org", password: PASSWORD });
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, refreshToken: expect.stringMatching(/^plnr_rt_/) });
    expect(app.cookies.size).toBe(0);

    app.bearer = issued.body.accessToken;
    const me = await app.get("/api/account");
    expect(me.body.user.email).toBe("val@example.org");
    expect((await app.patch("/api/account", { bio: "via JWT" })).body.user.bio).toBe("via JWT");
    expect((await app.get("/api/admin/users")).status).toBe(403);

    const jwks = await app.get("/api/auth/jwks");
    expect(jwks.body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", kid: expect.any(String) });
    expect(jwks.body.keys[0].d).toBeUndefined();

    app.bearer = null;
    const rotated = await app.post("/api/auth/token", { grantType: "refresh_token", refreshToken: issued.body.refreshToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(issued.body.refreshToken);
    // The old refresh token presented again: treated as stolen, the whole log-in is revoked.
    const replay = await app.post("/api/auth/token", { grantType: "refresh_token", refreshToken: issued.body.refreshToken });
    expect(replay.status).toBe(401);
    const afterReplay = await app.post("/api/auth/token", { grantType: "refresh_token", refreshToken: rotated.body.refreshToken });
    expect(afterReplay.status).toBe(401);
  });

  it("stops access tokens and refresh tokens of a banned user at once", async () => {
    await verifiedUser(server, smtp, "wes@example.org");
    const app = new TestClient(server.url, { origin: null });
    const issued = await app.post("/api/auth/token", { grantType: "password", email: "wes@example.org", password: PASSWORD });
    app.bearer = issued.body.accessToken;
    expect((await app.get("/api/account")).status).toBe(200);
    // An app's socket authenticates with the access token.
    const socket = await TestSocket.open(server.url, { headers: { authorization: `Bearer ${issued.body.accessToken}` } });
    expect((await socket.request("sys.ping")).t).toBe("ok");
    await expect(TestSocket.open(server.url, { headers: { authorization: "Bearer not-a-token" } })).rejects.toThrow(/401/);
    expect((await admin.post(`/api/admin/users/${await userId("wes@example.org")}/ban`, { reason: "Testing" })).status).toBe(200);
    expect(await socket.closed).toEqual({ code: 4403, reason: "Banned" });
    expect((await app.get("/api/account")).status).toBe(401);
    app.bearer = null;
    expect((await app.post("/api/auth/token", { grantType: "refresh_token", refreshToken: issued.body.refreshToken })).status).toBe(401);
    const revoke = await app.post("/api/auth/token/revoke", { refreshToken: "plnr_rt_unknown-token" });
    expect(revoke.status).toBe(204);
  });
});

describe("an SMTP server that is down", () => {
  it("marks the message failed in the outbox, and the request still succeeds", async () => {
    // A port that was just free: nothing listens there.
    const probe = await TestSmtpServer.start();
    const deadPort = probe.port;
    await probe.close();
    const down = await startServer({ env: { PLENARY_MAIL_SMTP_HOST: "127.0.0.1", PLENARY_MAIL_SMTP_PORT: String(deadPort) } });
    try {
      const boss = await firstAdmin(down);
      const visitor = new TestClient(down.url);
      expect((await visitor.post("/api/auth/sign-up", { email: "xia@example.org", displayName: "Xia", password: PASSWORD })).status).toBe(202);
      let message: { status: string; error: string | null } | undefined;
      for (let i = 0; i < 50 && message?.status !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        message = (await boss.get("/api/admin/outbox?to=xia@example.org")).body.messages[0];
      }
      expect(message).toMatchObject({ status: "failed", error: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await down.stop();
    }
  });
});
