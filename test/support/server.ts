/**
 * Starts the real Plenary server as a child process on a free loopback port with its own
 * temporary data folder, the way an operator would run it, and stops it afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = path.join(ROOT, "server/cli.ts");

export type StartOptions = {
  /** Extra PLENARY_* environment variables. */
  env?: Record<string, string>;
  /** TOML written to a config file passed with --config. */
  configToml?: string;
  /** Reuse a data folder (e.g. to restart on the same database); it is then not removed. */
  dataDir?: string;
};

export type TestServer = {
  url: string;
  /** The one-time first-run token the server printed, or null when an admin exists. */
  setupToken: string | null;
  dataDir: string;
  process: ChildProcess;
  /** Every JSON log line the server printed so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM, then the exit code (SIGKILL after 15 s). Removes the data folder it made. */
  stop(): Promise<number | null>;
};

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "plenary-test-"));
  const args = [CLI, "start"];
  if (options.configToml !== undefined) {
    const file = path.join(dataDir, "test-config.toml");
    writeFileSync(file, options.configToml);
    args.push("--config", file);
  }
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PLENARY_HTTP_HOST: "127.0.0.1",
      PLENARY_HTTP_PORT: "0",
      PLENARY_DATA_DIR: dataDir,
      PLENARY_LOG_LEVEL: "info",
      // The locally built mediasoup worker (./plenary exports it), and free media ports so servers can run side by side.
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
      PLENARY_SFU_RTC_PORT: "0",
      // One worker is enough for most tests on a 2-core machine; media tests ask for more.
      PLENARY_SFU_WORKERS: "1",
      PLENARY_SFU_LISTEN_IP: "127.0.0.1",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "plenary listening") resolve(entry);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
    // Generous: a loaded 2-core machine can take many seconds to start a server (nothing here measures speed).
    const timer = setTimeout(() => reject(new Error(`server did not start within 90 s:\n${stderr}`)), 90_000);
    timer.unref();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  let entry: Record<string, unknown>;
  try {
    entry = await listening;
  } catch (error) {
    child.kill("SIGKILL");
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const setupUrl = typeof entry.setupUrl === "string" ? new URL(entry.setupUrl) : null;
  return {
    url: String(entry.url),
    setupToken: setupUrl?.searchParams.get("token") ?? null,
    dataDir,
    process: child,
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}
