/**
 * Checks made by `plenary start` before anything is started (database, media workers, HTTP):
 * the data folder can be created and written, and the HTTP port and the media ports are free.
 * Each problem is one line that says what is wrong and what to change, and the command exits
 * 78 (EX_CONFIG) like a configuration error, instead of a stack trace after the database was
 * migrated and the media workers started. The ports are only tried and released: another
 * process could still take one in between, which then fails as before.
 */
import dgram from "node:dgram";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { LoadedConfig } from "./config/index.ts";

export class StartupError extends Error {
  override name = "StartupError";
}

export async function preflight(config: LoadedConfig): Promise<void> {
  checkDataDir(config.paths.dataDir);
  const { host, port } = config.http;
  if (port !== 0) await checkPort("tcp", host, port, `the HTTP port ${port} on ${host}`, "set `http.port` / PLENARY_HTTP_PORT to a free port, or stop the other process");
  const { rtc_port: first, listen_ip: ip, workers } = config.sfu;
  if (first !== 0) {
    const count = workers || availableParallelism();
    const range = count === 1 ? `${first}` : `${first}-${first + count - 1}`;
    const fix = `set \`sfu.rtc_port\` / PLENARY_SFU_RTC_PORT to the first of ${count} free ports (one per media worker), or stop the other process`;
    for (let i = 0; i < count; i++) {
      for (const protocol of ["udp", "tcp"] as const) {
        await checkPort(protocol, ip, first + i, `the media port ${first + i}/${protocol} on ${ip} (media ports ${range})`, fix);
      }
    }
  }
}

/** Creates the folder if needed and writes a file in it, as the database will. */
export function checkDataDir(dir: string): void {
  const probe = path.join(dir, `.plenary-write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    const why = code === "ENOTDIR" || code === "EEXIST" ? "a part of its path is a file, not a folder"
      : code === "EROFS" ? "it is on a read-only file system"
      : code === "ENOSPC" ? "the disk is full"
      : "it is not writable by this user";
    throw new StartupError(`the data folder ${dir} cannot be used: ${why} (${code}) — change \`data.dir\` / PLENARY_DATA_DIR, or the folder's owner or permissions`);
  }
}

/** Binds the port and lets it go; throws a StartupError naming it when that fails. */
export async function checkPort(protocol: "tcp" | "udp", host: string, port: number, what: string, fix: string): Promise<void> {
  try {
    await (protocol === "tcp" ? bindTcp(host, port) : bindUdp(host, port));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EADDRINUSE" ? "is held by another process"
      : code === "EACCES" ? "needs privileges this user does not have"
      : code === "EADDRNOTAVAIL" ? "is on an address this machine does not have"
      : `cannot be opened (${code ?? String(error)})`;
    throw new StartupError(`${what} ${why} — ${fix}`);
  }
}

function bindTcp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

function bindUdp(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve()));
  });
}
