import { Writable } from "node:stream";
import { Registry } from "prom-client";
import { expect, it } from "vitest";
import { createLogger } from "./log.ts";
import { installFaultPolicy } from "./process-faults.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("info", new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
  return { log, lines };
}

it("logs and counts a rejection nobody handled, and keeps the process running", async () => {
  const { log, lines } = capture();
  const registry = new Registry();
  const exits: number[] = [];
  const remove = installFaultPolicy(log, registry, (code) => exits.push(code));
  try {
    process.emit("unhandledRejection", new Error("manifest.json: ENOSPC"), Promise.resolve());
    process.emit("unhandledRejection", new Error("smtp down"), Promise.resolve());
  } finally {
    remove();
  }
  expect(exits).toEqual([]);
  expect(await registry.getSingleMetricAsString("plenary_unhandled_rejections_total")).toMatch(/ 2$/m);
  expect(lines.map((l) => [l.level, (l.err as { message: string }).message])).toEqual([[50, "manifest.json: ENOSPC"], [50, "smtp down"]]);
});

it("logs an uncaught exception as fatal and exits 1", () => {
  const { log, lines } = capture();
  const exits: number[] = [];
  const remove = installFaultPolicy(log, new Registry(), (code) => exits.push(code));
  try {
    // As Node emits it: the error and where it came from.
    (process.emit as (event: string, ...args: unknown[]) => boolean)("uncaughtException", new Error("room map corrupted"), "uncaughtException");
  } finally {
    remove();
  }
  expect(exits).toEqual([1]);
  expect(lines[0]).toMatchObject({ level: 60, origin: "uncaughtException", err: { message: "room map corrupted" } });
});

it("removes its handlers again", () => {
  const before = [process.listenerCount("unhandledRejection"), process.listenerCount("uncaughtException")];
  installFaultPolicy(capture().log, new Registry(), () => {})();
  expect([process.listenerCount("unhandledRejection"), process.listenerCount("uncaughtException")]).toEqual(before);
});
