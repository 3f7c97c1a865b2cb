/**
 * The job queue across a crash: a job is running when its process is SIGKILLed (and the
 * real server on the same database is killed too, as in a machine crash); after the
 * restart the job runs again once its lease has expired, and completes exactly once.
 * The job's kind is test-only, so it lives in a runner process of the test's own
 * (jobs-runner-process.ts) beside the real server, which must leave it alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { configSchema } from "../../server/config/index.ts";
import { openSqlite } from "../../server/db/sqlite.ts";
import { JobRunner } from "../../server/jobs/runner.ts";
import { createLogger } from "../../server/log.ts";
import { ROOT, startServer, type TestServer } from "../support/server.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "plenary-jobs-e2e-"));
const marker = path.join(dataDir, "marker.log");
const dbFile = path.join(dataDir, "plenary.sqlite");
const LEASE_MS = 1_000;
const children: ChildProcess[] = [];
let server: TestServer | undefined;
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startRunnerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, "test/e2e/jobs-runner-process.ts"), dbFile, marker, String(LEASE_MS)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", () => resolve());
    child.once("exit", (code) => reject(new Error(`runner process exited with ${code}`)));
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  return exited;
}

const markerLines = () => (existsSync(marker) ? readFileSync(marker, "utf8").trim().split("\n") : []);

async function until<T>(fn: () => T | false | undefined | Promise<T | false | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("durable jobs across a crash", () => {
  it("runs a job whose process was SIGKILLed mid-job again after restart, and completes it exactly once", async () => {
    const env = { PLENARY_JOBS_POLL_INTERVAL_MS: "50", PLENARY_JOBS_LEASE_MS: String(LEASE_MS) };
    server = await startServer({ dataDir, env });
    const db = openSqlite({ file: dbFile });
    try {
      // Enqueued from outside the runners, as a domain module of another process would.
      const queue = new JobRunner({ db, config: configSchema.parse({}).jobs, log: createLogger("silent") });
      const { id, outcome } = await queue.enqueue({ kind: "test.crash-once", key: "test:crash-once", payload: { label: "x" } });
      expect(outcome).toBe("created");
      const row = () => db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

      const first = await startRunnerProcess();
      await until(() => markerLines().length === 1);
      await kill(first);
      await kill(server.process);
      expect(await row()).toMatchObject({ status: "running", attempts: 1 });

      server = await startServer({ dataDir, env });
      const second = await startRunnerProcess();
      const done = await until(async () => {
        const r = await row();
        return r.status === "done" && r;
      });
      expect(done).toMatchObject({ attempts: 2, locked_by: null });
      expect(done.last_error).toMatch(/lease expired/);
      expect(markerLines()).toEqual([`start 1 ${first.pid}`, `start 2 ${second.pid}`, `done 2 ${second.pid}`]);

      // A few polls later: nobody ran it again, and it can never be enqueued a second time.
      await new Promise((r) => setTimeout(r, 300));
      expect(markerLines()).toHaveLength(3);
      expect((await queue.enqueue({ kind: "test.crash-once", key: "test:crash-once", payload: { label: "y" } })).outcome).toBe("exists");

      const stopped = new Promise<number | null>((resolve) => second.once("exit", (code) => resolve(code)));
      second.kill("SIGTERM");
      expect(await stopped).toBe(0);
      expect(await server.stop()).toBe(0);
      server = undefined;
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
