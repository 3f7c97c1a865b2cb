import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freeBytes, recordingsDiskReadiness } from "./disk-space.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-disk-space-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("measures the free bytes of a folder's file system", async () => {
  expect(await freeBytes(dir)).toBeGreaterThan(0);
});

it("only degrades for a low recordings disk", async () => {
  expect(await recordingsDiskReadiness(dir, 1)).toBe("ok");
  expect(await recordingsDiskReadiness(dir, Number.MAX_SAFE_INTEGER)).toMatch(/^degraded: only \d+ MiB free on the recordings disk .*recordings need/);
  // The work folder is made with the first recording: until then its parent's disk counts.
  expect(await recordingsDiskReadiness(path.join(dir, "recordings-work", "not-yet"), 1)).toBe("ok");
});
