/** deploy/coturn/turnserver.conf: its options, and Debian's coturn running it on loopback. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { userInfo } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { freePort, waitForTcp } from "../support/net.ts";
import { DEPLOY, need, read, run, scratchDir } from "./support.ts";

const scratch = scratchDir();

describe("deploy/coturn/turnserver.conf", () => {
  const conf = read("deploy/coturn/turnserver.conf");
  const options = conf
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("uses the TURN REST API secret, commits no secret, and refuses private peers", () => {
    expect(options).toContain("use-auth-secret");
    expect(options.filter((o) => o.startsWith("static-auth-secret"))).toEqual([]);
    expect(options).toContain("fingerprint");
    for (const range of ["127.0.0.0-127.255.255.255", "10.0.0.0-10.255.255.255", "192.168.0.0-192.168.255.255", "172.16.0.0-172.31.255.255"]) {
      expect(options).toContain(`denied-peer-ip=${range}`);
    }
  });

  it("Debian's coturn runs it on loopback: REST-API credentials allocate, a wrong secret does not, loopback peers are refused", async () => {
    const turnserver = need("turnserver", "coturn");
    const uclient = need("turnutils_uclient", "coturn");
    const secret = "deploy-test-secret";
    const port = await freePort();
    const dir = mkdtempSync(path.join(scratch, "coturn-"));
    // Only what differs on a test host is overridden on the command line; the rest is the
    // file as shipped (compose passes the same kind of flags).
    const child = spawn(
      turnserver,
      [
        "-c", path.join(DEPLOY, "coturn/turnserver.conf"),
        `--static-auth-secret=${secret}`,
        "--realm=deploy-test.invalid",
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        `--listening-port=${port}`,
        "--no-tls",
        "--no-dtls",
        `--pidfile=${dir}/turnserver.pid`,
        `--db=${dir}/turndb`,
        // As root it drops to nobody as configured; as anyone else it cannot, so stay.
        ...(process.getuid?.() === 0 ? [] : [`--proc-user=${userInfo().username}`, `--proc-group=${userInfo().username}`]),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    child.stdout!.on("data", (c) => (log += c));
    child.stderr!.on("data", (c) => (log += c));
    try {
      await waitForTcp(port, child, 10_000);
      const allocate = (key: string) =>
        run(uclient, ["-W", key, "-p", String(port), "-n", "1", "-m", "1", "-e", "127.0.0.1", "127.0.0.1"], { timeout: 20_000 });
      const good = allocate(secret);
      // The allocation succeeded (the channel bind comes after it) and the loopback peer is
      // refused by denied-peer-ip.
      expect(good.output, log).toContain("403 (Forbidden IP)");
      expect(good.output).not.toContain("Cannot complete Allocation");
      const bad = allocate("not-the-secret");
      expect(bad.output).toContain("Cannot complete Allocation");
      expect(log).not.toMatch(/CONFIG ERROR|Bad configuration|unknown option/i);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    }
  });
});
