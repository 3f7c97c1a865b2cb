import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-secret-box-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SecretBox", () => {
  it("seals so that only the same server secret and row open it", async () => {
    const box = await SecretBox.load(dir);
    const sealed = box.seal("live_sk-abcdef", "row-1");
    expect(sealed).not.toContain("live_sk");
    expect(sealed).not.toBe(box.seal("live_sk-abcdef", "row-1"));
    expect(box.open(sealed, "row-1")).toBe("live_sk-abcdef");
    // The same secret file gives the same key after a restart.
    expect((await SecretBox.load(dir)).open(sealed, "row-1")).toBe("live_sk-abcdef");
    expect(statSync(path.join(dir, "stream-keys.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, "stream-keys.key")).length).toBe(32);

    expect(() => box.open(sealed, "row-2")).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, "row-1")).toThrow();
    const [v, iv, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body, "base64url");
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, tag, flipped.toString("base64url")].join("."), "row-1")).toThrow();
    expect(() => box.open("plain-text", "row-1")).toThrow("not a sealed value");
  });
});
