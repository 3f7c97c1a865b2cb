/**
 * `plenary backup` and `plenary restore` against the real server process: a backup taken
 * while sign-ups keep writing holds everything acknowledged before it started and nothing
 * started after it ended; restored into a fresh data folder, the server starts on it with the
 * same signing keys (a JWT and a ticket code made before the backup still verify). Restore
 * refuses while a server runs on the folder, and refuses a damaged or altered backup.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TicketKeys, signTicketCode, verifyTicketCode } from "../../server/tickets/index.ts";
import { firstAdmin, logIn, PASSWORD } from "../support/accounts.ts";
import { TestClient } from "../support/http-client.ts";
import { ROOT, startServer, type TestServer } from "../support/server.ts";
import { cli } from "./database-support.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "plenary-backup-test-"));
const backupDir = path.join(scratch, "backup");

function emailsIn(database: string): Set<string> {
  const db = new SQLite(database, { readonly: true });
  try {
    return new Set(db.prepare("SELECT email FROM users").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

let server: TestServer;
let accessToken: string;
let jwksBefore: unknown;
let ticketCode: string;
/** Sign-ups: when each was sent and when the server acknowledged it. */
const writes: { email: string; sentAt: number; ackedAt: number | null }[] = [];
let backupStartedAt = 0;
let backupEndedAt = 0;
let backupRun: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  server = await startServer({ env: { PLENARY_ACCOUNTS_MAX_REQUESTS_PER_IP: "100000" } });
  await firstAdmin(server);
  const token = await new TestClient(server.url).post("/api/auth/token", { grantType: "password", email: "admin@example.org", password: PASSWORD });
  expect(token.status).toBe(200);
  accessToken = token.body.accessToken;
  jwksBefore = (await new TestClient(server.url).get("/api/auth/jwks")).body;
  // Ticket keys are made at first use; this is that first use, in the live data folder.
  ticketCode = signTicketCode(TicketKeys.load(path.join(server.dataDir, "keys")), {
    ticketId: randomUUID(), eventId: randomUUID(), ticketTypeId: randomUUID(), issuedAt: new Date("2026-11-25T08:00:00Z"),
  });

  // Two writers sign people up without pause for the whole backup.
  let writing = true;
  const writer = async (n: number) => {
    const client = new TestClient(server.url);
    for (let i = 0; writing; i++) {
      const entry = { email: `w${n}-${i}@example.org`, sentAt: Date.now(), ackedAt: null as number | null };
      writes.push(entry);
      const response = await client.post("/api/auth/sign-up", { email: entry.email, displayName: `W ${n} ${i}`, password: PASSWORD });
      if (response.status !== 202) throw new Error(`sign-up: ${response.status} ${JSON.stringify(response.body)}`);
      entry.ackedAt = Date.now();
    }
  };
  const writers = [writer(1), writer(2)];
  while (writes.filter((w) => w.ackedAt !== null).length < 6) await new Promise((r) => setTimeout(r, 50));
  backupStartedAt = Date.now();
  backupRun = await cli(server.dataDir, "backup", "--to", backupDir);
  backupEndedAt = Date.now();
  // Keep writing a little after the backup, then stop.
  const acked = () => writes.filter((w) => w.ackedAt !== null && w.sentAt > backupEndedAt).length;
  while (acked() < 4) await new Promise((r) => setTimeout(r, 50));
  writing = false;
  await Promise.all(writers);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("plenary backup", () => {
  it("writes the database, the keys and a manifest while the server writes", () => {
    expect(backupRun.code, backupRun.stderr).toBe(0);
    expect(backupRun.stdout).toMatch(/backup written to .*integrity ok/);
    const during = writes.filter((w) => w.sentAt < backupEndedAt && (w.ackedAt ?? Infinity) > backupStartedAt);
    expect(during.length, "sign-ups in flight while the backup ran").toBeGreaterThan(0);

    const manifest = JSON.parse(readFileSync(path.join(backupDir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ format: "plenary-backup", version: 1, recordings: [] });
    expect(manifest.recordingsNote).toMatch(/Every recording the database refers to/);
    expect(Date.parse(manifest.createdAt)).toBeGreaterThanOrEqual(backupStartedAt - 1000);
    expect(manifest.database.migrations).toEqual(readdirSync(path.join(ROOT, "migrations")).map((f) => f.replace(/\.ts$/, "")).sort());
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(["keys/jwt-keys.json", "keys/recording-links.key", "keys/stream-keys.key", "keys/ticket-keys.json", "plenary.sqlite"]);
    for (const file of manifest.files) {
      const data = readFileSync(path.join(backupDir, file.path));
      expect(data.length).toBe(file.bytes);
      expect(createHash("sha256").update(data).digest("hex")).toBe(file.sha256);
    }
    // A single SQLite file, no -wal beside it, owner-only.
    expect(readdirSync(backupDir).sort()).toEqual(["keys", "manifest.json", "plenary.sqlite"]);
    expect(statSync(path.join(backupDir, "plenary.sqlite")).mode & 0o077).toBe(0);

    // A point in time: everything acknowledged before the backup began, nothing sent after it ended.
    const saved = emailsIn(path.join(backupDir, "plenary.sqlite"));
    const before = writes.filter((w) => w.ackedAt !== null && w.ackedAt < backupStartedAt);
    const after = writes.filter((w) => w.sentAt > backupEndedAt);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(after.length).toBeGreaterThan(0);
    for (const w of before) expect(saved.has(w.email), w.email).toBe(true);
    for (const w of after) expect(saved.has(w.email), w.email).toBe(false);
  });

  it("refuses to write into a folder that is not empty", async () => {
    const again = await cli(server.dataDir, "backup", "--to", backupDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);
  });
});

describe("plenary restore", () => {
  it("refuses while a server runs on the data folder, and so does a second server", async () => {
    const refused = await cli(server.dataDir, "restore", "--from", backupDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/another Plenary process is using .*nothing was changed/);
    expect(readdirSync(server.dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);
    const second = await cli(server.dataDir, "start");
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another Plenary process is using/);
    // The first server is still fine.
    expect((await new TestClient(server.url).get("/healthz")).status).toBe(200);
  });

  it("refuses a backup whose database or keys were altered, or whose database is corrupt", async () => {
    const target = mkdtempSync(path.join(scratch, "target-"));
    const altered = (name: string, change: (dir: string) => void) => {
      const dir = path.join(scratch, name);
      cpSync(backupDir, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const flipByte = (dir: string) => {
      const file = path.join(dir, "plenary.sqlite");
      const data = readFileSync(file);
      data[data.length - 100] ^= 0xff;
      writeFileSync(file, data);
    };
    const otherKey = (dir: string) => {
      const file = path.join(dir, "keys/jwt-keys.json");
      writeFileSync(file, readFileSync(file, "utf8").replace(/"kid": "[0-9a-f]/, '"kid": "x'));
    };
    // Garbage over page 2 with the manifest's hash updated to match: only integrity_check can tell.
    const corrupt = (dir: string) => {
      const file = path.join(dir, "plenary.sqlite");
      const data = readFileSync(file);
      const pageSize = data.readUInt16BE(16);
      data.fill(0x5a, pageSize, pageSize * 2);
      writeFileSync(file, data);
      const manifestFile = path.join(dir, "manifest.json");
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
      manifest.files.find((f: { path: string }) => f.path === "plenary.sqlite").sha256 = createHash("sha256").update(data).digest("hex");
      writeFileSync(manifestFile, JSON.stringify(manifest));
    };
    for (const [name, change, message] of [
      ["flipped", flipByte, /plenary\.sqlite does not match the manifest/],
      ["other-key", otherKey, /keys\/jwt-keys\.json does not match the manifest/],
      ["corrupt", corrupt, /integrity_check/],
      ["no-manifest", (dir: string) => rmSync(path.join(dir, "manifest.json")), /no readable manifest\.json/],
    ] as const) {
      const result = await cli(target, "restore", "--from", altered(name, change));
      expect(result.code, `${name}: ${result.stdout}`).toBe(1);
      expect(result.stderr, name).toMatch(message);
      expect(existsSync(path.join(target, "plenary.sqlite")), name).toBe(false);
      expect(existsSync(path.join(target, "keys")), name).toBe(false);
    }
  });

  it("puts the backup in a fresh data folder, keeping what was there aside; the server starts on it with the same keys", async () => {
    await server.stop();
    const target = mkdtempSync(path.join(scratch, "restored-"));
    // Something already there (a database of its own, say a mistaken first start): kept, not deleted.
    expect((await cli(target, "migrate")).code).toBe(0);
    const restored = await cli(target, "restore", "--from", backupDir);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/kept the previous plenary\.sqlite\.before-restore-\d{4}-\d\d-\d\dT[\d-]+Z/);
    expect(readdirSync(target).some((f) => /^plenary\.sqlite\.before-restore-/.test(f))).toBe(true);

    const again = await startServer({ dataDir: target });
    try {
      expect(again.setupToken).toBeNull();
      const db = new SQLite(path.join(target, "plenary.sqlite"), { readonly: true });
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        db.close();
      }
      const saved = emailsIn(path.join(target, "plenary.sqlite"));
      for (const w of writes.filter((w) => w.ackedAt !== null && w.ackedAt < backupStartedAt)) expect(saved.has(w.email), w.email).toBe(true);
      for (const w of writes.filter((w) => w.sentAt > backupEndedAt)) expect(saved.has(w.email), w.email).toBe(false);

      // Keys: a JWT issued before the backup verifies, the published key set is the same, the ticket code verifies.
      const api = new TestClient(again.url, { origin: null });
      api.bearer = accessToken;
      const me = await api.get("/api/account");
      expect(me.status).toBe(200);
      expect(me.body.user.email).toBe("admin@example.org");
      expect((await new TestClient(again.url).get("/api/auth/jwks")).body).toEqual(jwksBefore);
      expect((await verifyTicketCode(TicketKeys.load(path.join(target, "keys")).publicKeys, ticketCode)).valid).toBe(true);
      await logIn(new TestClient(again.url), "admin@example.org");
    } finally {
      await again.stop();
      rmSync(target, { recursive: true, force: true });
    }
  });
});
