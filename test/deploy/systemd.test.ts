/** deploy/systemd/plenary.service: systemd-analyze verify and security, and the settings Plenary relies on. */
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEPLOY, defaultGraceMs, expectKnownPlenaryEnv, need, run, scratchDir } from "./support.ts";

const scratch = scratchDir();

describe("deploy/systemd/plenary.service", () => {
  const unitPath = path.join(DEPLOY, "systemd/plenary.service");
  const unit = readFileSync(unitPath, "utf8");
  const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1].trim());

  /** The unit as shipped, with ExecStart's Node pointed at the Node running this test. */
  function runnableCopy(): string {
    const dir = mkdtempSync(path.join(scratch, "unit-"));
    const copy = path.join(dir, "plenary.service");
    const execStart = values("ExecStart")[0];
    writeFileSync(copy, unit.replace(`ExecStart=${execStart}`, `ExecStart=${realpathSync(process.execPath)} ${execStart.split(" ").slice(1).join(" ")}`));
    return copy;
  }

  it("passes systemd-analyze verify (ExecStart's Node is the only thing missing on a build host)", () => {
    const analyze = need("systemd-analyze", "systemd");
    // The shipped path exists only on an installed server; verify reports exactly that.
    const shipped = run(analyze, ["verify", unitPath]);
    const problems = shipped.output.split("\n").filter((l) => l.trim());
    expect(problems.length, shipped.output).toBeLessThanOrEqual(1);
    if (problems.length === 1) expect(problems[0]).toContain(`Command ${values("ExecStart")[0].split(" ")[0]} is not executable`);
    // With a real Node binary there, the unit verifies cleanly.
    const copy = run(analyze, ["verify", runnableCopy()]);
    expect(copy.output).toBe("");
    expect(copy.code).toBe(0);
  });

  it("is hardened: systemd-analyze security rates its exposure 2.0 or lower", () => {
    const analyze = need("systemd-analyze", "systemd");
    // --threshold is in tenths: 20 means an overall exposure of 2.0 ("OK").
    const result = run(analyze, ["security", "--offline=true", "--threshold=20", "--no-pager", runnableCopy()]);
    expect(result.code, result.stdout.split("\n").slice(-3).join("\n")).toBe(0);
  });

  it("has the hardening and stop settings this project relies on", () => {
    for (const [key, value] of Object.entries({
      ProtectSystem: "strict",
      NoNewPrivileges: "yes",
      PrivateTmp: "yes",
      KillSignal: "SIGTERM",
      KillMode: "mixed",
      User: "plenary",
    })) {
      expect(values(key), key).toEqual([value]);
    }
    expect(values("ReadWritePaths")).toContain("/var/lib/plenary");
    expect(values("RestrictAddressFamilies")[0].split(" ")).toEqual(expect.arrayContaining(["AF_INET", "AF_INET6", "AF_UNIX"]));
    expect(values("SystemCallFilter")).toContain("@system-service");
    expect(values("ExecStart")[0]).toMatch(/\/node server\/cli\.ts start$/);
    const stop = /^(\d+)s$/.exec(values("TimeoutStopSec")[0]);
    expect(Number(stop?.[1]) * 1000, "TimeoutStopSec must exceed shutdown.grace_ms").toBeGreaterThan(defaultGraceMs);
    const env = values("Environment").map((e) => e.split("=")[0]);
    expectKnownPlenaryEnv(env, "plenary.service");
    expect(values("Environment")).toContain("PLENARY_DATA_DIR=/var/lib/plenary");
  });
});
