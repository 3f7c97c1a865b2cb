/**
 * What the live streaming tests share: a server that encodes a small, cheap program; a local
 * RTMP ingest (`ffmpeg -listen 1` taking one publisher on 127.0.0.1 and copying what it receives
 * into a file that ffprobe can read afterwards); and a poll for what ffmpeg does in its own time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { freePort } from "../support/net.ts";
import { startServer, type TestServer } from "../support/server.ts";

/**
 * A server with one media worker whose live program is 320×240 at 15 fps and 400 kbit/s; `env`
 * adds settings. It allows destinations on internal addresses: the test ingests listen on 127.0.0.1.
 */
export function startStreamingServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startServer({
    env: {
      PLENARY_SFU_WORKERS: "1",
      PLENARY_STREAMING_ALLOW_PRIVATE_DESTINATIONS: "true",
      PLENARY_STREAMING_WIDTH: "320",
      PLENARY_STREAMING_HEIGHT: "240",
      PLENARY_STREAMING_FPS: "15",
      PLENARY_STREAMING_VIDEO_KBPS: "400",
      ...env,
    },
  });
}

/** Polls `probe` every 200 ms until it gives a value; fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export type RtmpReceiver = { url: string; key: string; file: string; child: ChildProcess; exited: Promise<void>; stop(): Promise<void> };

export async function startRtmpReceiver(file: string, key = "sk-test-0123456789"): Promise<RtmpReceiver> {
  const port = await freePort();
  const url = `rtmp://127.0.0.1:${port}/live`;
  const child = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-listen", "1", "-i", `${url}/${key}`, "-c", "copy", "-f", "flv", "-y", file], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A probe connection would be taken for the publisher: watch the kernel's table instead.
  await waitTcpListening(port, 10_000);
  return {
    url, key, file, child, exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
    },
  };
}

/** A TCP port nobody listens on (an ingest that is down). */
export async function deadIngest(): Promise<string> {
  return `rtmp://127.0.0.1:${await freePort()}/live`;
}

async function waitTcpListening(port: number, ms: number): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const table = await readFile("/proc/net/tcp", "utf8");
    // Columns: sl, local_address, rem_address, st (0A = LISTEN).
    if (table.split("\n").some((line) => { const c = line.trim().split(/\s+/); return c[1]?.endsWith(hex) && c[3] === "0A"; })) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on TCP ${port}`);
}
