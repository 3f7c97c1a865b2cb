import { describe, expect, it } from "vitest";
import { TypedEmitter } from "./emitter.ts";

class Probe extends TypedEmitter<{ ping: [number] }> {
  fire(n: number): void {
    this.safeEmit("ping", n);
  }
}

describe("TypedEmitter", () => {
  it("runs a once listener on the first emit only", () => {
    const probe = new Probe();
    const seen: number[] = [];
    probe.once("ping", (n) => seen.push(n));
    probe.fire(1);
    probe.fire(2);
    expect(seen).toEqual([1]);
  });

  it("keeps calling the other listeners when one throws, and reports the error", () => {
    const probe = new Probe();
    const errors: unknown[] = [];
    const seen: number[] = [];
    probe.setListenerErrorHandler((_event, error) => errors.push(error));
    probe.on("ping", () => {
      throw new Error("boom");
    });
    probe.on("ping", (n) => seen.push(n));
    probe.fire(7);
    expect(seen).toEqual([7]);
    expect(errors).toHaveLength(1);
  });
});
