/**
 * build.sh's progress filter, fed fake ninja output (rebuilding the worker to see it would
 * take ten minutes): a line per 10 % when not on a terminal, one line rewritten in place on
 * one, and every input line kept in the build log.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("./ninja-progress.sh", import.meta.url));

/** What ninja prints: "[n/m] Compiling …" for each step, with a warning in between. */
function fakeNinja(steps: number): string {
  const lines = ["ninja: Entering directory `build'"];
  for (let n = 1; n <= steps; n++) {
    lines.push(`[${n}/${steps}] Compiling C++ object mediasoup-worker.p/src_${n}.cpp.o`);
    if (n === 7) lines.push("../src/RTC/Foo.cpp:12:3: warning: unused variable 'x'");
  }
  return `${lines.join("\n")}\n`;
}

function run(input: string, tty: "0" | "1") {
  const log = path.join(mkdtempSync(path.join(tmpdir(), "ninja-progress-")), "ninja.log");
  const result = spawnSync("bash", [SCRIPT, log], { input, encoding: "utf8", env: { ...process.env, PLENARY_PROGRESS_TTY: tty } });
  return { ...result, log: readFileSync(log, "utf8") };
}

describe("ninja progress", () => {
  it("prints a line each time another 10 % is done when not on a terminal, and keeps the full log", () => {
    const input = fakeNinja(738);
    const { status, stdout, log } = run(input, "0");
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.match(/building: (\d+)%/)?.[1])).toEqual(["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"]);
    expect(lines[0]).toMatch(/^\[mediasoup-worker\] building: 10% \(74\/738 steps, \d+m\d{2}s elapsed\)$/);
    expect(lines.at(-1)).toMatch(/\(738\/738 steps, /);
    expect(log).toBe(input);
  });

  it("rewrites one line in place on a terminal, and ends it with a newline", () => {
    const { status, stdout } = run(fakeNinja(20), "1");
    expect(status).toBe(0);
    const updates = stdout.split("\r").filter(Boolean);
    expect(updates).toHaveLength(20);
    expect(updates[0]).toMatch(/^\[mediasoup-worker\] building:\s+5% \(1\/20 steps, \d+m\d{2}s\)/);
    expect(stdout).toMatch(/100% \(20\/20 steps, \d+m\d{2}s\)\u001b\[K\n$/);
    expect(stdout.split("\n")).toHaveLength(2);
  });

  it("passes through output without step counts (a failed configure) silently, into the log", () => {
    const { status, stdout, log } = run("ninja: error: loading 'build.ninja': No such file or directory\n", "0");
    expect(status).toBe(0);
    expect(stdout).toBe("");
    expect(log).toContain("No such file or directory");
  });
});
