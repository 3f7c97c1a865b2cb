import { createHmac } from "node:crypto";
import { expect, it } from "vitest";
import { iceServersFor, turnCredentials } from "./turn.ts";

it("makes coturn REST-API credentials: expiry:identity and base64 HMAC-SHA1 of it", () => {
  const now = Date.UTC(2026, 0, 1);
  const { username, credential } = turnCredentials("s3cret", "user:42", 3600, now);
  expect(username).toBe(`${now / 1000 + 3600}:user_42`);
  expect(credential).toBe(createHmac("sha1", "s3cret").update(username).digest("base64"));
  // A known answer, computed apart from this code (Python's hmac + base64).
  expect(turnCredentials("north", "mediasoup", 0, 1_700_000_000_000)).toEqual({
    username: "1700000000:mediasoup",
    credential: "vsTZU2dyPVPDVDI5DA+sbnnLWK4=",
  });
});

it("hands out nothing without URLs, and URLs alone without a secret", () => {
  expect(iceServersFor({ urls: [], secret: "x" }, "a")).toEqual([]);
  expect(iceServersFor({ urls: ["stun:stun.example.org"], secret: "" }, "a")).toEqual([{ urls: ["stun:stun.example.org"] }]);
  const [server] = iceServersFor({ urls: ["turn:t.example.org:3478?transport=udp"], secret: "k", ttlSeconds: 60 }, "a", 0);
  expect(server).toEqual({ urls: ["turn:t.example.org:3478?transport=udp"], username: "60:a", credential: expect.any(String) });
});
