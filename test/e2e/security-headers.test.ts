/**
 * The web-facing defences of a real server process: security headers on every kind of
 * answer, the Host allowlist (421) for pages, API and the WebSocket upgrade, e-mailed links
 * that never come from the Host header, /metrics behind its token or its own address, and
 * access tokens that must expire.
 */
import { request as httpRequest } from "node:http";
import path from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { verifiedUser } from "../support/accounts.ts";
import { freePort } from "../support/net.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSmtpServer } from "../support/smtp.ts";

type RawAnswer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One HTTP request with any Host header (fetch will not send a Host of our choosing). */
function raw(base: string, method: string, pathname: string, headers: Record<string, string> = {}, body?: unknown): Promise<RawAnswer> {
  const url = new URL(pathname, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { ...(payload ? { "content-type": "application/json" } : {}), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c) => (text += c)).on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The status line of a WebSocket upgrade sent with this Host. */
function upgradeStatus(base: string, host: string): Promise<number> {
  const url = new URL("/ws", base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname, port: url.port, path: "/ws",
      headers: { host, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    });
    req.on("upgrade", (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
    req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on("error", reject);
    req.end();
  });
}

const FOREIGN = "rebind.evil.example";

describe("a server without public_url", () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let port: string;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    server = await startServer({
      env: { ...smtp.env, PLENARY_HTTP_ALLOWED_HOSTS: "alias.example", PLENARY_METRICS_TOKEN: "scrape-secret" },
    });
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  it("sends the security headers on a page, an API answer, a static file and an error", async () => {
    const answers = [
      await raw(server.url, "GET", "/", { accept: "text/html" }),
      await raw(server.url, "GET", "/api/setup/status"),
      await raw(server.url, "GET", "/theme-init.js"),
      await raw(server.url, "GET", "/api/nothing-here"),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 404]);
    for (const { headers } of answers) {
      const csp = String(headers["content-security-policy"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toContain("object-src 'none'");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["referrer-policy"]).toBe("no-referrer");
      expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(headers["permissions-policy"]).toContain("camera=(self)");
      expect(headers["permissions-policy"]).toContain("microphone=(self)");
      // Plain http: HSTS would be ignored and is not claimed.
      expect(headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("answers 421 to pages, API and the WebSocket for a host name that is not ours", async () => {
    for (const [pathname, accept] of [["/", "text/html"], ["/api/setup/status", "application/json"], ["/events/anything", "text/html"]]) {
      const answer = await raw(server.url, "GET", pathname, { host: `${FOREIGN}:${port}`, accept });
      expect(answer.status, pathname).toBe(421);
      expect(JSON.parse(answer.body).error.code).toBe("misdirected_request");
    }
    expect(await upgradeStatus(server.url, FOREIGN)).toBe(421);
    // With trust_proxy off, X-Forwarded-Host is not believed either way.
    expect((await raw(server.url, "GET", "/api/setup/status", { "x-forwarded-host": FOREIGN })).status).toBe(200);
  });

  it("serves our names and IP addresses, and health probes from anywhere", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "alias.example", "ALIAS.example:443", "10.1.2.3:8080", "[::1]:8080"]) {
      expect((await raw(server.url, "GET", "/api/setup/status", { host })).status, host).toBe(200);
    }
    expect(await upgradeStatus(server.url, `localhost:${port}`)).toBe(101);
    expect((await raw(server.url, "GET", "/healthz", { host: "plenary.default.svc" })).status).toBe(200);
    expect((await raw(server.url, "GET", "/readyz", { host: "plenary:8080" })).status).toBe(200);
  });

  it("mails reset links to the listen address, whatever Host the request named", async () => {
    await verifiedUser(server, smtp, "victim@example.org");
    const refused = await raw(server.url, "POST", "/api/auth/request-password-reset", { host: `evil.example:8080` }, { email: "victim@example.org" });
    expect(refused.status).toBe(421);
    for (const host of [`localhost:${port}`, "alias.example"]) {
      const before = smtp.to("victim@example.org").length;
      const asked = await raw(server.url, "POST", "/api/auth/request-password-reset", { host }, { email: "victim@example.org" });
      expect(asked.status, asked.body).toBeLessThan(300);
      const mail = await smtp.next("victim@example.org", (m) => smtp.to("victim@example.org").indexOf(m) >= before && /reset/i.test(m.subject), 15_000);
      expect(mail.text).toContain(`${server.url}/reset-password?token=`);
      expect(mail.text).not.toContain("alias.example");
      expect(mail.text).not.toContain("localhost");
    }
    expect(smtp.messages.some((m) => m.text.includes("evil.example"))).toBe(false);
  });

  it("serves /metrics only with the metrics token", async () => {
    expect((await raw(server.url, "GET", "/metrics")).status).toBe(401);
    expect((await raw(server.url, "GET", "/metrics", { authorization: "Bearer wrong" })).status).toBe(401);
    const scraped = await raw(server.url, "GET", "/metrics", { authorization: "Bearer scrape-secret" });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain("plenary_http_request_duration_seconds_bucket");
  });

  it("refuses an access token signed with the server's own key but without exp, or living too long", async () => {
    const client = await verifiedUser(server, smtp, "scripter@example.org");
    const me = await client.get("/api/account");
    const userId = me.body.user.id as string;
    const keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
    const { key, header } = keys.signing;
    const token = (build: (jwt: SignJWT) => SignJWT) =>
      build(new SignJWT({ role: "user" }).setProtectedHeader(header).setIssuer("plenary").setAudience("plenary:api").setSubject(userId)).sign(key);
    const call = async (bearer: string) => (await raw(server.url, "GET", "/api/account", { authorization: `Bearer ${bearer}` })).status;
    expect(await call(await token((jwt) => jwt.setIssuedAt().setExpirationTime("10m")))).toBe(200);
    expect(await call(await token((jwt) => jwt.setIssuedAt()))).toBe(401);
    expect(await call(await token((jwt) => jwt.setIssuedAt().setExpirationTime("30d")))).toBe(401);
  });
});

describe("a server with an https public_url and a metrics address", () => {
  let server: TestServer;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startServer({
      env: { PLENARY_HTTP_PUBLIC_URL: "https://events.example.org", PLENARY_METRICS_LISTEN: `127.0.0.1:${metricsPort}` },
    });
  });
  afterAll(() => server?.stop());

  it("asks for HTTPS (HSTS) and allows its socket origin, and accepts its public name", async () => {
    const answer = await raw(server.url, "GET", "/api/setup/status", { host: "events.example.org" });
    expect(answer.status).toBe(200);
    expect(answer.headers["strict-transport-security"]).toBe("max-age=31536000");
    expect(String(answer.headers["content-security-policy"])).toMatch(/connect-src 'self' wss:\/\/events\.example\.org/);
    expect((await raw(server.url, "GET", "/", { host: "events.example.org.evil.example", accept: "text/html" })).status).toBe(421);
  });

  it("without a token, serves /metrics on the app port to this machine only, and on metrics.listen to anyone", async () => {
    expect((await raw(server.url, "GET", "/metrics")).status).toBe(200);
    // Through a proxy on this machine the peer is loopback, but the request is not local.
    expect((await raw(server.url, "GET", "/metrics", { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
    const own = await raw(`http://127.0.0.1:${metricsPort}`, "GET", "/metrics", { host: "10.0.0.7:9464" });
    expect(own.status).toBe(200);
    expect(own.body).toContain("plenary_ws_connections");
    expect((await raw(`http://127.0.0.1:${metricsPort}`, "GET", "/api/setup/status")).status).toBe(404);
  });
});
