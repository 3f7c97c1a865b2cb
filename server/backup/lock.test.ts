import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { dataDirInUse, DataDirBusyError, lockDataDir } from "./lock.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A child process that takes the lock, drops the handle as `start` does, runs the GC, and waits.
const CHILD = `
  const { lockDataDir } = await import(${JSON.stringify(fileURLToPath(new URL("./lock.ts", import.meta.url)))});
  lockDataDir(process.argv[2], "test");
  globalThis.gc();
  process.stdout.write("locked\\n");
  setInterval(() => globalThis.gc(), 50);
`;

it("is held by a live process even after a GC, refused to others, and gone when that process is killed", async () => {
  expect(dataDirInUse(dir)).toBe(false);
  const script = path.join(dir, "child.mjs");
  writeFileSync(script, CHILD);
  const child = spawn(process.execPath, ["--expose-gc", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => String(chunk).includes("locked") && resolve(null));
    child.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(dataDirInUse(dir)).toBe(true);
  expect(() => lockDataDir(dir, "second")).toThrow(DataDirBusyError);
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  expect(dataDirInUse(dir)).toBe(false);
  // Released by its holder, it can be taken again.
  lockDataDir(dir, "mine").release();
  expect(dataDirInUse(dir)).toBe(false);
});
