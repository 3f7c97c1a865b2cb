import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startServer, type TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";

function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [path.join(ROOT, "server/cli.ts"), ...args], {
    cwd: ROOT,
    input: options.input ?? "",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("a fresh server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.stop());

  it("answers health, readiness and metrics", async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", sfu: "ok", storage: "ok", recordings_disk: "ok", database_integrity: "ok", database_disk: "ok" },
      backup: { every: "off", last: null, next: null, lastError: null },
    });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain("plenary_ws_connections");
    expect(metrics).toContain("plenary_http_request_duration_seconds_bucket");
    expect(metrics).toContain("plenary_process_cpu_seconds_total");
    expect(metrics).toMatch(/^plenary_jobs\{status="dead"\} 0$/m);
  });

  it("gives every response a request id and every error one format", async () => {
    const missing = await fetch(`${server.url}/api/nothing-here`);
    expect(missing.status).toBe(404);
    const body = await missing.json();
    expect(body.error).toMatchObject({ code: "not_found", requestId: missing.headers.get("x-request-id") });

    const badJson = await postJson(`${server.url}/api/setup/first-run`, "{oops");
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.code).toBe("invalid_json");

    const tooBig = await postJson(`${server.url}/api/setup/first-run`, { pad: "x".repeat(1_100_000) });
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).error.code).toBe("payload_too_large");
  });

  it("creates the first admin only with the printed code, once", async () => {
    expect(server.setupToken).toMatch(/^[\w-]{20,}$/);
    const status = await (await fetch(`${server.url}/api/setup/status`)).json();
    expect(status).toMatchObject({ needsFirstRun: true, publicUrl: null });

    const invalid = await postJson(`${server.url}/api/setup/first-run`, { email: "nope", password: "short" });
    expect(invalid.status).toBe(400);
    const fields = (await invalid.json()).error.fields.map((f: { path: string }) => f.path).sort();
    expect(fields).toEqual(["displayName", "email", "password", "publicUrl", "token"]);

    const admin = {
      displayName: "Ada Admin",
      email: " Ada@Example.org ",
      password: "correct horse battery",
      publicUrl: "https://events.example.org/",
    };
    const wrongToken = await postJson(`${server.url}/api/setup/first-run`, { ...admin, token: "not-the-token" });
    expect(wrongToken.status).toBe(403);
    expect((await wrongToken.json()).error.code).toBe("bad_setup_token");

    const created = await postJson(`${server.url}/api/setup/first-run`, { ...admin, token: server.setupToken });
    expect(created.status).toBe(201);
    expect((await created.json()).user).toMatchObject({ email: "ada@example.org", role: "admin", displayName: "Ada Admin" });

    const again = await postJson(`${server.url}/api/setup/first-run`, { ...admin, token: server.setupToken });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("already_set_up");
    expect(await (await fetch(`${server.url}/api/setup/status`)).json()).toMatchObject({
      needsFirstRun: false,
      publicUrl: "https://events.example.org",
    });
  });

  it("serves the web app for page routes and JSON 404s for the API", async () => {
    const page = await fetch(`${server.url}/events/some-event`, { headers: { accept: "text/html" } });
    const built = existsSync(path.join(ROOT, "client/dist/index.html"));
    expect(page.status).toBe(built ? 200 : 503);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const api = await fetch(`${server.url}/api/events`, { headers: { accept: "text/html" } });
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/json/);
  });
});

describe("shutdown", () => {
  it("finishes in-flight requests, closes sockets with 1001, closes the database and exits 0", async () => {
    const server = await startServer();
    const socket = await TestSocket.open(server.url);
    await socket.next((f) => f.t === "sys.hello");
    // A first-run request spends tens of milliseconds hashing the password: in flight when the signal lands.
    const inFlight = postJson(`${server.url}/api/setup/first-run`, {
      displayName: "A",
      email: "a@example.org",
      password: "correct horse battery",
      publicUrl: "http://127.0.0.1",
      token: server.setupToken,
    });
    await new Promise((r) => setTimeout(r, 15));
    const exit = server.stop();
    expect((await inFlight).status).toBe(201);
    expect(await socket.closed).toEqual({ code: 1001, reason: "Server shutting down" });
    expect(await exit).toBe(0);
    const messages = server.logs.map((l) => l.msg);
    expect(messages).toContain("stopped");
  });

  it("keeps its data across a restart", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-restart-"));
    try {
      const first = await startServer({ dataDir });
      const token = first.setupToken;
      const created = await postJson(`${first.url}/api/setup/first-run`, {
        displayName: "A",
        email: "a@example.org",
        password: "correct horse battery",
        publicUrl: "http://127.0.0.1",
        token,
      });
      expect(created.status).toBe(201);
      expect(await first.stop()).toBe(0);
      const second = await startServer({ dataDir });
      expect(second.setupToken).toBeNull();
      expect((await (await fetch(`${second.url}/api/setup/status`)).json()).needsFirstRun).toBe(false);
      expect(await second.stop()).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// Each case starts Node a few times; on a loaded 2-core machine that alone can take seconds.
describe("the plenary command", { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-cli-"));
  const env = { PLENARY_DATA_DIR: dataDir };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("refuses a bad configuration, naming the key", () => {
    const file = path.join(dataDir, "bad.toml");
    writeFileSync(file, "[http]\nport = \"eighty\"\n[realtime]\nmax_frame_bytes = 3\n");
    const result = cli(["config", "check", "--config", file], { env });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/http\.port: .*number/);
    expect(result.stderr).toMatch(/realtime\.max_frame_bytes: .*256/);
    const server = cli(["start", "--config", file], { env });
    expect(server.code).toBe(78);
  });

  it("checks a good configuration", () => {
    const result = cli(["config", "check"], { env: { ...env, PLENARY_HTTP_PORT: "9999" } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))).http.port).toBe(9999);
  });

  it("migrates, then reports the database up to date", () => {
    expect(cli(["migrate"], { env }).stdout).toContain("applied 0001_initial");
    expect(cli(["migrate"], { env }).stdout).toMatch(/up to date/);
  });

  it("creates an admin from a password on stdin and refuses a duplicate or weak one", () => {
    const ok = cli(["create-admin", "--email", "root@example.org", "--name", "Root"], { env, input: "a long enough secret\n" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('"role":"admin"');
    const dup = cli(["create-admin", "--email", "root@example.org"], { env, input: "a long enough secret\n" });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const weak = cli(["create-admin", "--email", "other@example.org"], { env, input: "short\n" });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/password: Use at least 10 characters/);
  });

  it("explains an unknown command", () => {
    const result = cli(["frobnicate"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage: plenary/);
  });
});
