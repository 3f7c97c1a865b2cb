/**
 * OpenID Connect log-in end to end against a real provider (oidc-provider) on loopback:
 * redirect with state and PKCE, code exchange, account creation, linking by verified
 * e-mail, and forged or replayed callbacks refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, PASSWORD, verifiedUser } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { TestOidcProvider } from "../support/oidc.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

let server: TestServer;
let smtp: TestSmtpServer;
let idp: TestOidcProvider;
beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  idp = await TestOidcProvider.start();
  server = await startServer({
    env: {
      ...smtp.env,
      PLENARY_OAUTH_OIDC_ISSUER: idp.issuer,
      PLENARY_OAUTH_OIDC_CLIENT_ID: idp.clientId,
      PLENARY_OAUTH_OIDC_CLIENT_SECRET: idp.clientSecret,
      PLENARY_OAUTH_OIDC_NAME: "Corp SSO",
    },
  });
  idp.configure(`${server.url}/api/auth/oauth/oidc/callback`);
  idp.accounts.set("alice", { email: "Alice@corp.test", emailVerified: true, name: "Alice Liddell" });
  idp.accounts.set("bob", { email: "bob@corp.test", emailVerified: true, name: "Bob" });
  idp.accounts.set("carol", { email: "carol@corp.test", emailVerified: false, name: "Carol" });
  idp.accounts.set("dave", { email: "dave@corp.test", emailVerified: true, name: "Dave" });
});
afterAll(async () => {
  await server?.stop();
  await idp?.close();
  await smtp?.close();
});

/** Starts a log-in in Plenary and returns the provider URL it redirects to. */
async function start(client: TestClient, returnTo = "/welcome"): Promise<string> {
  const response = await client.get(`/api/auth/oauth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`);
  expect(response.status).toBe(302);
  expect(response.headers.getSetCookie()[0]).toMatch(/^plenary_oauth=.*HttpOnly.*SameSite=Lax/);
  return response.headers.get("location")!;
}

async function oidcLogIn(client: TestClient, login: string) {
  const callback = await idp.logIn(await start(client), login);
  expect(callback.startsWith(`${server.url}/api/auth/oauth/oidc/callback?`)).toBe(true);
  return client.get(callback);
}

describe("OpenID Connect log-in", () => {
  it("lists the configured provider", async () => {
    const list = await new TestClient(server.url).get("/api/auth/oauth/providers");
    expect(list.body.providers).toEqual([{ id: "oidc", name: "Corp SSO", startUrl: "/api/auth/oauth/oidc/start" }]);
    expect((await new TestClient(server.url).get("/api/auth/oauth/github/start")).status).toBe(404);
  });

  it("sends the browser to the provider with state and a PKCE challenge", async () => {
    const url = new URL(await start(new TestClient(server.url)));
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(`${server.url}/api/auth/oauth/oidc/callback`);
  });

  it("creates an account on first log-in, and finds it again the next time", async () => {
    const first = new TestClient(server.url);
    const done = await oidcLogIn(first, "alice");
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/welcome");
    const me = (await first.get("/api/account")).body.user;
    expect(me).toMatchObject({ email: "alice@corp.test", displayName: "Alice Liddell", emailVerified: true, hasPassword: false });

    const second = new TestClient(server.url);
    await oidcLogIn(second, "alice");
    expect((await second.get("/api/account")).body.user.id).toBe(me.id);
    expect((await second.get("/api/account/oauth")).body.accounts).toEqual([
      { provider: "oidc", email: "Alice@corp.test", linkedAt: expect.any(String) },
    ]);
  });

  it("links to an existing account with the same verified address", async () => {
    const password = await verifiedUser(server, smtp, "bob@corp.test", "Bob Password");
    const id = (await password.get("/api/account")).body.user.id;
    const sso = new TestClient(server.url);
    await oidcLogIn(sso, "bob");
    expect((await sso.get("/api/account")).body.user).toMatchObject({ id, hasPassword: true });
    await logIn(new TestClient(server.url), "bob@corp.test");
  });

  it("takes an unverified squatter's password away when the real owner logs in through the provider", async () => {
    const squatter = new TestClient(server.url);
    await squatter.post("/api/auth/sign-up", { email: "dave@corp.test", displayName: "Not Dave", password: PASSWORD });
    const sso = new TestClient(server.url);
    await oidcLogIn(sso, "dave");
    expect((await sso.get("/api/account")).body.user).toMatchObject({ email: "dave@corp.test", emailVerified: true, hasPassword: false });
    const attempt = await squatter.post("/api/auth/log-in", { email: "dave@corp.test", password: PASSWORD });
    expect(attempt.status).toBe(401);
  });

  it("refuses an address the provider has not verified", async () => {
    const client = new TestClient(server.url);
    const done = await oidcLogIn(client, "carol");
    expect(done.headers.get("location")).toBe("/log-in?oauthError=email_unverified");
    expect(client.cookies.has("plenary_session")).toBe(false);
  });

  it("refuses a callback whose state was tampered with, or that arrives without the flow cookie", async () => {
    const client = new TestClient(server.url);
    const callback = new URL(await idp.logIn(await start(client), "alice"));
    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    const refused = await client.get(tampered.toString());
    expect(refused.headers.get("location")).toBe("/log-in?oauthError=invalid_state");
    expect(client.cookies.has("plenary_session")).toBe(false);
    // The flow cookie was spent by the refused attempt: the genuine callback no longer works either.
    const replay = await client.get(callback.toString());
    expect(replay.headers.get("location")).toBe("/log-in?oauthError=invalid_state");

    const stranger = new TestClient(server.url);
    const forged = await stranger.get(callback.toString());
    expect(forged.headers.get("location")).toBe("/log-in?oauthError=invalid_state");
  });

  it("only returns to paths on this site", async () => {
    const client = new TestClient(server.url);
    for (const returnTo of ["//evil.example/x", "https://evil.example", "/\\evil.example"]) {
      expect((await client.get(`/api/auth/oauth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`)).status).toBe(400);
    }
  });
});
