import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeProtectedHeader, SignJWT } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { JOIN_TOKEN_MAX_SECONDS, mintJoinToken, verifyJoinToken } from "./join-tokens.ts";
import { SigningKeys } from "./keys.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("signing keys", () => {
  it("are generated once at first start, private to the owner, and reloaded after", async () => {
    const keysDir = path.join(dir, "first");
    const first = await SigningKeys.load(keysDir);
    const file = path.join(keysDir, "jwt-keys.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await SigningKeys.load(keysDir);
    expect(second.signing.header.kid).toBe(first.signing.header.kid);
    expect(JSON.parse(readFileSync(file, "utf8"))).toHaveLength(1);
  });
});

describe("room join tokens", () => {
  it("carry the grants, with defaults, and verify without a database", async () => {
    const keys = await SigningKeys.load(path.join(dir, "grants"));
    const token = await mintJoinToken(keys, { identity: "user-1", name: "Ada", grants: { room: "room-9", canPublish: true } });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "EdDSA", kid: keys.signing.header.kid });
    const verified = await verifyJoinToken(keys, token);
    expect(verified).toMatchObject({
      identity: "user-1",
      name: "Ada",
      grants: { room: "room-9", canPublish: true, canSubscribe: true, canPublishData: true, roomAdmin: false, hidden: false, recorder: false },
    });
    expect(verified.expiresAt).toBeGreaterThan(Date.now() / 1000 + 590);
  });

  it("rejects a tampered, expired, foreign or wrongly addressed token", async () => {
    const keys = await SigningKeys.load(path.join(dir, "reject"));
    const other = await SigningKeys.load(path.join(dir, "other"));
    const token = await mintJoinToken(keys, { identity: "u", name: "U", grants: { room: "r" } });
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    claims.grants.roomAdmin = true;
    const tampered = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
    await expect(verifyJoinToken(keys, tampered)).rejects.toMatchObject({ status: 401 });

    const expired = await mintJoinToken(keys, { identity: "u", name: "U", grants: { room: "r" }, ttlSeconds: -10 });
    await expect(verifyJoinToken(keys, expired)).rejects.toMatchObject({ code: "unauthorized" });
    await expect(verifyJoinToken(other, token)).rejects.toMatchObject({ status: 401 });

    const { key, header: h } = keys.signing;
    const apiToken = await new SignJWT({ grants: { room: "r" }, name: "U" })
      .setProtectedHeader(h).setIssuer("plenary").setAudience("plenary:api").setSubject("u").setExpirationTime("5m").sign(key);
    await expect(verifyJoinToken(keys, apiToken)).rejects.toMatchObject({ status: 401 });
  });

  it("rejects a token of our own key without an expiry, or living longer than the server issues", async () => {
    const keys = await SigningKeys.load(path.join(dir, "lifetime"));
    const { key, header } = keys.signing;
    const claims = { name: "U", grants: { room: "r" } };
    const sign = (build: (jwt: SignJWT) => SignJWT) =>
      build(new SignJWT(claims).setProtectedHeader(header).setIssuer("plenary").setAudience("plenary:room-join").setSubject("u")).sign(key);
    const forever = await sign((jwt) => jwt.setIssuedAt());
    await expect(verifyJoinToken(keys, forever)).rejects.toMatchObject({ status: 401 });
    const noIssuedAt = await sign((jwt) => jwt.setExpirationTime("5m"));
    await expect(verifyJoinToken(keys, noIssuedAt)).rejects.toMatchObject({ status: 401 });
    const aYear = await sign((jwt) => jwt.setIssuedAt().setExpirationTime("365d"));
    await expect(verifyJoinToken(keys, aYear)).rejects.toMatchObject({ status: 401 });
    const longest = await sign((jwt) => jwt.setIssuedAt().setExpirationTime(`${JOIN_TOKEN_MAX_SECONDS}s`));
    expect((await verifyJoinToken(keys, longest)).identity).toBe("u");
    // The server itself never signs longer than it accepts.
    const asked = await mintJoinToken(keys, { identity: "u", name: "U", grants: { room: "r" }, ttlSeconds: 86_400 });
    expect((await verifyJoinToken(keys, asked)).expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + JOIN_TOKEN_MAX_SECONDS + 1);
  });

  it("still verifies tokens signed with an older key after a rotation", async () => {
    const keysDir = path.join(dir, "rotate");
    const before = await SigningKeys.load(keysDir);
    const old = await mintJoinToken(before, { identity: "u", name: "U", grants: { room: "r" } });
    const kid = await SigningKeys.rotate(keysDir);
    const after = await SigningKeys.load(keysDir);
    expect(after.signing.header.kid).toBe(kid);
    expect((await verifyJoinToken(after, old)).identity).toBe("u");
    expect((await after.publicJwks()).keys.map((k) => k.kid)).toEqual([kid, before.signing.header.kid]);
  });
});
