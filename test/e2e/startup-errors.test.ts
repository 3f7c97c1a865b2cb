/**
 * `plenary start` where it cannot run: the HTTP port or a media port held by another process,
 * or a data folder it cannot create. Each ends in one line that says what is wrong and which
 * setting to change, exit 78 like a configuration error, before anything was started (no
 * database file, no media workers), not in a stack trace.
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/server.ts";

const held: { close(): void }[] = [];
afterAll(() => held.forEach((h) => h.close()));

function plenaryStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "server/cli.ts"), "start"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, PLENARY_HTTP_HOST: "127.0.0.1", PLENARY_HTTP_PORT: "0",
      PLENARY_SFU_RTC_PORT: "0", PLENARY_SFU_WORKERS: "1", PLENARY_SFU_LISTEN_IP: "127.0.0.1",
      ...(process.env.MEDIASOUP_WORKER_BIN ? { MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.resume();
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

async function holdTcp(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  held.push(server);
  return (server.address() as net.AddressInfo).port;
}

async function holdUdp(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind({ address: "127.0.0.1", port: 0 }, resolve));
  held.push(socket);
  return socket.address().port;
}

const dataDir = () => mkdtempSync(path.join(tmpdir(), "plenary-startup-"));

/** One line, no stack frames. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0];
}

describe("plenary start refuses at once", { timeout: 60_000 }, () => {
  it("when another process holds the HTTP port", async () => {
    const port = await holdTcp();
    const dir = dataDir();
    const { code, stderr } = await plenaryStart({ PLENARY_HTTP_PORT: String(port), PLENARY_DATA_DIR: dir });
    expect(code).toBe(78);
    expect(oneLine(stderr)).toBe(`plenary: the HTTP port ${port} on 127.0.0.1 is held by another process — set \`http.port\` / PLENARY_HTTP_PORT to a free port, or stop the other process`);
    // Checked before anything started: the database was not even created.
    expect(existsSync(path.join(dir, "plenary.sqlite"))).toBe(false);
  });

  it("when another process holds a media port", async () => {
    const port = await holdUdp();
    const dir = dataDir();
    const { code, stderr } = await plenaryStart({ PLENARY_SFU_RTC_PORT: String(port), PLENARY_DATA_DIR: dir });
    expect(code).toBe(78);
    expect(oneLine(stderr)).toBe(
      `plenary: the media port ${port}/udp on 127.0.0.1 (media ports ${port}) is held by another process — set \`sfu.rtc_port\` / PLENARY_SFU_RTC_PORT to the first of 1 free ports (one per media worker), or stop the other process`,
    );
    expect(existsSync(path.join(dir, "plenary.sqlite"))).toBe(false);
  });

  it("when the data folder cannot be created (a file is in the way; root cannot get past that either)", async () => {
    const file = path.join(dataDir(), "not-a-folder");
    writeFileSync(file, "");
    const dir = path.join(file, "data");
    const { code, stderr } = await plenaryStart({ PLENARY_DATA_DIR: dir });
    expect(code).toBe(78);
    expect(oneLine(stderr)).toBe(
      `plenary: the data folder ${dir} cannot be used: a part of its path is a file, not a folder (ENOTDIR) — change \`data.dir\` / PLENARY_DATA_DIR, or the folder's owner or permissions`,
    );
  });
});
