/**
 * Scheduled backups and a restore drill, against the real server process.
 *
 * [backup] every: the job queue makes a backup into <data dir>/backups/scheduled-<time> on
 * each slot, keeps the newest `keep`, and /readyz shows the last one's time and size and the
 * next slot. The drill: a backup taken while checkouts keep coming, the server stopped,
 * `plenary restore --from` that backup, the server started again: it serves exactly the
 * orders the backup holds (every one answered 201 before the backup began, none sent after
 * it ended).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { firstAdmin } from "../support/accounts.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { eventually } from "./checkout-support.ts";
import { buy, cli, orderIds, seedSales } from "./database-support.ts";

const scratch = mkdtempSync(path.join(tmpdir(), "plenary-backup-drill-"));
const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("scheduled backups", () => {
  it("run on their slots, keep the newest `keep`, and show on /readyz", async () => {
    const server = await startServer({ env: { PLENARY_BACKUP_EVERY: "2s", PLENARY_BACKUP_KEEP: "2", PLENARY_JOBS_POLL_INTERVAL_MS: "50" } });
    servers.push(server);
    const written = () => server.logs.filter((l) => l.msg === "backup written").length;
    await eventually(() => {
      if (written() < 3) throw new Error(`${written()} backups so far`);
    }, "three scheduled backups", 60_000);
    const scheduled = readdirSync(path.join(server.dataDir, "backups")).filter((name) => name.startsWith("scheduled-"));
    expect(scheduled.length).toBe(2);
    for (const name of scheduled) expect(existsSync(path.join(server.dataDir, "backups", name, "manifest.json"))).toBe(true);

    const ready = await (await fetch(`${server.url}/readyz`)).json();
    expect(ready.backup.every).toBe("2s");
    expect(ready.backup.last.dir).toContain(path.join(server.dataDir, "backups", "scheduled-"));
    expect(ready.backup.last.bytes).toBeGreaterThan(0);
    expect(Date.parse(ready.backup.last.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(ready.backup.next)).toBeGreaterThan(Date.parse(ready.backup.last.createdAt));
  }, 120_000);
});

describe("restore drill", () => {
  it("a backup under checkout load, restored, serves the orders it holds", async () => {
    const dataDir = path.join(scratch, "drill");
    const server = await startServer({ dataDir, env: { PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "1000000", PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "1000000" } });
    await firstAdmin(server);
    const sales = await seedSales(dataDir, 2);
    // Two buyers check out without pause for the whole backup.
    const placed: { id: string; ackedAt: number }[] = [];
    const sent: { at: number; id?: string }[] = [];
    let running = true;
    const loop = async (buyer: number) => {
      while (running) {
        const entry: { at: number; id?: string } = { at: Date.now() };
        sent.push(entry);
        const response = await buy(server, sales, buyer);
        if (response.status !== 201) throw new Error(`checkout: ${response.status} ${await response.text()}`);
        entry.id = (await response.json()).order.id;
        placed.push({ id: entry.id!, ackedAt: Date.now() });
      }
    };
    const loops = [loop(0), loop(1)];
    while (placed.length < 6) await new Promise((r) => setTimeout(r, 50));
    const backupStartedAt = Date.now();
    const backup = await cli(dataDir, "backup");
    const backupEndedAt = Date.now();
    expect(backup.code, backup.stderr).toBe(0);
    const backupDir = /backup written to (.*): /.exec(backup.stdout)![1];
    while (sent.filter((s) => s.at > backupEndedAt && s.id).length < 2) await new Promise((r) => setTimeout(r, 50));
    running = false;
    await Promise.all(loops);
    expect(await server.stop()).toBe(0);

    const inBackup = orderIds(path.join(backupDir, "plenary.sqlite"));
    const before = placed.filter((p) => p.ackedAt < backupStartedAt).map((p) => p.id);
    const after = sent.filter((s) => s.at > backupEndedAt).map((s) => s.id!);
    expect(before.length).toBeGreaterThanOrEqual(6);
    for (const id of before) expect(inBackup).toContain(id);
    for (const id of after) expect(inBackup).not.toContain(id);

    const restore = await cli(dataDir, "restore", "--from", backupDir);
    expect(restore.code, restore.stderr).toBe(0);
    const restored = await startServer({ dataDir });
    servers.push(restored);
    const served: string[] = [];
    for (const cookie of sales.cookies) {
      const response = await fetch(`${restored.url}/api/orders`, { headers: { cookie } });
      expect(response.status).toBe(200);
      served.push(...((await response.json()).orders as { id: string }[]).map((o) => o.id));
    }
    expect(served.sort()).toEqual(inBackup);
  }, 180_000);
});
