/**
 * Accounts end to end against the real server and a real SMTP server on loopback:
 * sign-up, verification, log-in, sessions, CSRF, password change and reset, deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { firstAdmin, logIn, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { linkToken, TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  server = await startServer({ env: { ...smtp.env, PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "10000" } });
  await firstAdmin(server);
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

describe("sign-up and verification", () => {
  it("signs up, mails a verification link, and logs in only once the address is confirmed", async () => {
    const client = new TestClient(server.url);
    const signUp = await client.post("/api/auth/sign-up", { email: " Bea@Example.org", displayName: "Bea", password: PASSWORD });
    expect(signUp.status).toBe(202);
    expect(client.cookies.size).toBe(0);

    const early = await client.post("/api/auth/log-in", { email: "bea@example.org", password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe("email_not_verified");

    const mail = await smtp.next("bea@example.org");
    expect(mail.subject).toBe("Confirm your e-mail address");
    expect(mail.text).toContain(`${server.url}/verify-email?token=`);
    expect(mail.html).toContain("<a href=");
    const token = linkToken(mail);
    const verified = await client.post("/api/auth/verify-email", { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: "bea@example.org", emailVerified: true, role: "user" });
    const again = await client.post("/api/auth/verify-email", { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("invalid_link");

    const loggedIn = await client.post("/api/auth/log-in", { email: "BEA@example.org", password: PASSWORD });
    expect(loggedIn.status).toBe(200);
    const cookie = loggedIn.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^plenary_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const me = await client.get("/api/account");
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ displayName: "Bea", emailVerified: true, hasPassword: true });
  });

  it("answers a sign-up for a taken address exactly like a new one, and tells the owner by mail", async () => {
    await verifiedUser(server, smtp, "cat@example.org");
    const client = new TestClient(server.url);
    const repeat = await client.post("/api/auth/sign-up", { email: "cat@example.org", displayName: "Mallory", password: "another long password" });
    const fresh = await client.post("/api/auth/sign-up", { email: "dan@example.org", displayName: "Dan", password: PASSWORD });
    expect(repeat.status).toBe(fresh.status);
    expect(repeat.body).toEqual(fresh.body);
    const notice = await smtp.next("cat@example.org", (m) => m.subject === "You already have an account");
    expect(notice.text).toContain("/reset-password?token=");
  });

  it("rejects invalid input field by field, and common or short passwords", async () => {
    const client = new TestClient(server.url);
    const bad = await client.post("/api/auth/sign-up", { email: "not-an-address", displayName: "", password: "short" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(["displayName", "email", "password"]);
    const common = await client.post("/api/auth/sign-up", { email: "eve@example.org", displayName: "Eve", password: "Password123" });
    expect(common.status).toBe(400);
    expect(common.body.error.fields[0].message).toMatch(/most common/);
  });
});

describe("log-in", () => {
  it("gives the same answer for an unknown address and a wrong password", async () => {
    await verifiedUser(server, smtp, "fay@example.org");
    const client = new TestClient(server.url);
    const wrong = await client.post("/api/auth/log-in", { email: "fay@example.org", password: "not the password" });
    const unknown = await client.post("/api/auth/log-in", { email: "nobody@example.org", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it("pauses an account after repeated failures, even with the right password", async () => {
    await verifiedUser(server, smtp, "gus@example.org");
    const client = new TestClient(server.url);
    for (let i = 0; i < 5; i++) {
      expect((await client.post("/api/auth/log-in", { email: "gus@example.org", password: `wrong ${i} password` })).status).toBe(401);
    }
    const paused = await client.post("/api/auth/log-in", { email: "gus@example.org", password: PASSWORD });
    expect(paused.status).toBe(429);
    expect(paused.body.error.message).toMatch(/try again in 1 minute/);
  });

  it("issues a new session token at every log-in and ends the one it replaces", async () => {
    const client = await verifiedUser(server, smtp, "hal@example.org");
    const first = client.cookies.get("plenary_session");
    await logIn(client, "hal@example.org");
    const second = client.cookies.get("plenary_session");
    expect(second).not.toBe(first);
    const stale = new TestClient(server.url);
    stale.cookies.set("plenary_session", first!);
    expect((await stale.get("/api/account")).status).toBe(401);
  });
});

describe("sessions", () => {
  it("lists sessions with their device, revokes one, logs out, and logs out everywhere", async () => {
    const laptop = await verifiedUser(server, smtp, "ivy@example.org");
    const phone = new TestClient(server.url);
    await phone.request("POST", "/api/auth/log-in", { email: "ivy@example.org", password: PASSWORD }, {
      "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1",
    });
    const tablet = new TestClient(server.url);
    await logIn(tablet, "ivy@example.org");

    const list = await laptop.get("/api/account/sessions");
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(3);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.body.sessions.map((s: { device: string }) => s.device)).toContain("Safari on iOS");

    const phoneSession = (await phone.get("/api/account/sessions")).body.sessions.find((s: { current: boolean }) => s.current);
    expect((await laptop.delete(`/api/account/sessions/${phoneSession.id}`)).status).toBe(204);
    expect((await phone.get("/api/account")).status).toBe(401);
    expect((await laptop.delete(`/api/account/sessions/${phoneSession.id}`)).status).toBe(404);

    expect((await tablet.post("/api/auth/log-out")).status).toBe(204);
    expect(tablet.cookies.has("plenary_session")).toBe(false);
    expect((await laptop.get("/api/account/sessions")).body.sessions).toHaveLength(1);

    await logIn(tablet, "ivy@example.org");
    const everywhere = await laptop.post("/api/auth/log-out-everywhere");
    expect(everywhere.body).toEqual({ sessionsEnded: 2 });
    expect((await tablet.get("/api/account")).status).toBe(401);
    expect((await laptop.get("/api/account")).status).toBe(401);
  });

  it("refuses state changes with the cookie from another origin or without an Origin (CSRF)", async () => {
    const client = await verifiedUser(server, smtp, "jo@example.org");
    const foreign = await client.request("PATCH", "/api/account", { bio: "pwned" }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("bad_origin");
    client.origin = null;
    expect((await client.patch("/api/account", { bio: "pwned" })).status).toBe(403);
    client.origin = server.url;
    const own = await client.patch("/api/account", { bio: "Hello" });
    expect(own.status).toBe(200);
    expect(own.body.user.bio).toBe("Hello");
    // Reads are not state changes.
    client.origin = "https://evil.example";
    expect((await client.get("/api/account")).status).toBe(200);
  });
});

describe("passwords", () => {
  it("changes the password, ending the other sessions and telling the owner", async () => {
    const main = await verifiedUser(server, smtp, "kim@example.org");
    const other = new TestClient(server.url);
    await logIn(other, "kim@example.org");
    const wrong = await main.post("/api/account/password", { currentPassword: "not it at all", newPassword: "a brand new password" });
    expect(wrong.status).toBe(403);
    const changed = await main.post("/api/account/password", { currentPassword: PASSWORD, newPassword: "a brand new password" });
    expect(changed.status).toBe(200);
    expect(changed.body.otherSessionsEnded).toBe(1);
    expect((await main.get("/api/account")).status).toBe(200);
    expect((await other.get("/api/account")).status).toBe(401);
    expect((await other.post("/api/auth/log-in", { email: "kim@example.org", password: PASSWORD })).status).toBe(401);
    await logIn(other, "kim@example.org", "a brand new password");
    await smtp.next("kim@example.org", (m) => m.subject === "Your password was changed");
  });

  it("resets a forgotten password by a single-use e-mailed link, revealing nothing about unknown addresses", async () => {
    const before = await verifiedUser(server, smtp, "lea@example.org");
    const anonymous = new TestClient(server.url);
    const known = await anonymous.post("/api/auth/request-password-reset", { email: "lea@example.org" });
    const unknown = await anonymous.post("/api/auth/request-password-reset", { email: "ghost@example.org" });
    expect(known.status).toBe(202);
    expect(unknown.body).toEqual(known.body);

    const mail = await smtp.next("lea@example.org", (m) => m.subject === "Reset your password");
    const token = linkToken(mail);
    const weak = await anonymous.post("/api/auth/reset-password", { token, password: "short" });
    expect(weak.status).toBe(400);
    const reset = await anonymous.post("/api/auth/reset-password", { token, password: "lea's new password" });
    expect(reset.status).toBe(200);
    expect((await anonymous.post("/api/auth/reset-password", { token, password: "yet another password" })).body.error.code).toBe("invalid_link");
    expect((await before.get("/api/account")).status).toBe(401);
    await logIn(anonymous, "lea@example.org", "lea's new password");
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.to("ghost@example.org")).toHaveLength(0);
  });
});

describe("deleting one's account", () => {
  it("asks for the password, then removes the account and its sessions", async () => {
    const client = await verifiedUser(server, smtp, "max@example.org");
    expect((await client.delete("/api/account", { password: "wrong password" })).status).toBe(403);
    expect((await client.delete("/api/account", { password: PASSWORD })).status).toBe(204);
    expect((await client.get("/api/account")).status).toBe(401);
    const again = await new TestClient(server.url).post("/api/auth/log-in", { email: "max@example.org", password: PASSWORD });
    expect(again.status).toBe(401);
  });
});
