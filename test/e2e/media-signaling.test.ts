/**
 * Media signaling at the boundary, through the real server: join tokens (missing, forged,
 * expired, for what they grant), malformed messages, TURN credentials in the join reply,
 * a closed socket's cleanup, one peer's bad messages leaving another undisturbed, and
 * batched consuming of a room with many producers under the default rate limits.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../server/accounts/join-tokens.ts";
import { SigningKeys } from "../../server/accounts/keys.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { type Frame, TestSocket } from "../support/ws-client.ts";

const TURN_SECRET = "coturn shared secret";
let server: TestServer;
let keys: SigningKeys;
const otherKeysDir = mkdtempSync(path.join(tmpdir(), "plenary-other-keys-"));
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startServer({
    env: {
      PLENARY_SFU_WORKERS: "1",
      PLENARY_SFU_RECONNECT_GRACE_MS: "300",
      PLENARY_SFU_TURN_URLS: "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349?transport=tcp",
      PLENARY_SFU_TURN_SECRET: TURN_SECRET,
      PLENARY_SFU_TURN_CREDENTIAL_TTL_SECONDS: "3600",
    },
  });
  keys = await SigningKeys.load(path.join(server.dataDir, "keys"));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  rmSync(otherKeysDir, { recursive: true, force: true });
});

async function socket(): Promise<TestSocket> {
  const s = await TestSocket.open(server.url);
  sockets.push(s);
  return s;
}
const token = (room: string, identity: string, grants: { canPublish?: boolean; canSubscribe?: boolean; hidden?: boolean } = {}, ttlSeconds?: number) =>
  mintJoinToken(keys, { identity, name: identity, grants: { room, ...grants }, ttlSeconds });
const data = (reply: Frame) => reply.data as Record<string, any>;

describe("media signaling", () => {
  it("refuses joins without a valid token", async () => {
    const s = await socket();
    expect(await s.request("media.join", {})).toMatchObject({ t: "error", code: "validation_failed" });
    expect(await s.request("media.join", { token: "not.a.jwt" })).toMatchObject({ t: "error", code: "unauthorized" });
    const forged = await mintJoinToken(await SigningKeys.load(otherKeysDir), { identity: "x", name: "x", grants: { room: "r" } });
    expect(await s.request("media.join", { token: forged })).toMatchObject({ t: "error", code: "unauthorized" });
    const expired = await token("r", "late", {}, -60);
    expect(await s.request("media.join", { token: expired })).toMatchObject({ t: "error", code: "unauthorized" });
    // Nothing else works before a join.
    expect(await s.request("media.transport.create", { direction: "recv" })).toMatchObject({ t: "error", code: "not_joined" });
    expect(await s.request("media.routerCapabilities")).toMatchObject({ t: "error", code: "not_joined" });
  });

  it("hands out TURN servers with coturn REST-API credentials", async () => {
    const s = await socket();
    const reply = await s.request("media.join", { token: await token("turn", "user-7") });
    expect(reply.t).toBe("ok");
    const [ice] = data(reply).iceServers as { urls: string[]; username: string; credential: string }[];
    expect(ice.urls).toEqual(["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"]);
    const [expiry, identity] = ice.username.split(":");
    expect(identity).toBe("user-7");
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3500);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(3600);
    expect(ice.credential).toBe(createHmac("sha1", TURN_SECRET).update(ice.username).digest("base64"));
    expect(await s.request("media.join", { token: await token("turn", "user-7") })).toMatchObject({ t: "error", code: "already_joined" });
  });

  it("rejects what the token does not grant with forbidden", async () => {
    const s = await socket();
    expect((await s.request("media.join", { token: await token("grants", "viewer", { canPublish: false }) })).t).toBe("ok");
    expect(await s.request("media.transport.create", { direction: "send" })).toMatchObject({ t: "error", code: "forbidden" });
    const produce = { transportId: "t", kind: "video", source: "camera", rtpParameters: { codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }] } };
    expect(await s.request("media.produce", produce)).toMatchObject({ t: "error", code: "forbidden" });

    const deaf = await socket();
    expect((await deaf.request("media.join", { token: await token("grants", "deaf", { canPublish: true, canSubscribe: false }) })).t).toBe("ok");
    expect(await deaf.request("media.transport.create", { direction: "recv" })).toMatchObject({ t: "error", code: "forbidden" });
    expect(await deaf.request("media.consume", { producerId: "p" })).toMatchObject({ t: "error", code: "forbidden" });
  });

  it("validates every message and keeps a bystander in the same room undisturbed", async () => {
    const bystander = await socket();
    expect((await bystander.request("media.join", { token: await token("noisy", "calm", { canPublish: true }) })).t).toBe("ok");
    const offender = await socket();
    expect((await offender.request("media.join", { token: await token("noisy", "loud", { canPublish: true }) })).t).toBe("ok");
    const send = data(await offender.request("media.transport.create", { direction: "send" }));
    expect(send.iceCandidates.map((c: { protocol: string }) => c.protocol).sort()).toEqual(["tcp", "udp"]);

    const bad: [string, Record<string, unknown>, string][] = [
      ["media.transport.create", { direction: "sideways" }, "validation_failed"],
      ["media.transport.create", { direction: "send", extra: 1 }, "validation_failed"],
      ["media.transport.connect", { transportId: send.transportId, dtlsParameters: { fingerprints: [] } }, "validation_failed"],
      ["media.transport.connect", { transportId: send.transportId, dtlsParameters: { fingerprints: [{ algorithm: "md5", value: "x" }] } }, "validation_failed"],
      ["media.produce", { transportId: send.transportId, kind: "video", source: "camera", rtpParameters: { codecs: [] } }, "validation_failed"],
      ["media.produce", { transportId: send.transportId, kind: "audio", source: "camera", rtpParameters: { codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48_000 }] } }, "kind_mismatch"],
      ["media.produce", { transportId: send.transportId, kind: "video", source: "camera", rtpParameters: { codecs: [{ mimeType: "video/NOPE", payloadType: 96, clockRate: 90_000 }], encodings: [{ ssrc: 1 }] } }, "invalid_media"],
      ["media.produce", { transportId: "nope", kind: "video", source: "camera", rtpParameters: { codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }] } }, "not_found"],
      ["media.consumer.resume", { consumerId: "nope" }, "not_found"],
      ["media.consumer.setPreferredLayers", { consumerId: "nope", spatialLayer: 9 }, "validation_failed"],
      ["media.producer.close", { producerId: "nope" }, "not_found"],
      ["media.transport.restartIce", { transportId: "nope" }, "not_found"],
      ["media.capabilities", { rtpCapabilities: { codecs: "all" } }, "validation_failed"],
    ];
    for (const [t, payload, code] of bad) {
      expect(await offender.request(t, payload), `${t} ${JSON.stringify(payload)}`).toMatchObject({ t: "error", code });
    }
    // ICE restart on a real transport works and gives new credentials.
    const restarted = data(await offender.request("media.transport.restartIce", { transportId: send.transportId }));
    expect(restarted.iceParameters.usernameFragment).not.toBe(send.iceParameters.usernameFragment);

    expect(await bystander.request("media.routerCapabilities")).toMatchObject({ t: "ok" });
    expect(bystander.frames.some((f) => f.t === "media.peerLeft")).toBe(false);
  });

  it("cleans up a closed socket's transports after the grace window, and tells the room", async () => {
    const stayer = await socket();
    expect((await stayer.request("media.join", { token: await token("leaving", "stayer") })).t).toBe("ok");
    const transports = async () => Number(/^plenary_sfu_transports (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())![1]);
    // Other tests' peers are still connected.
    const baseline = await transports();
    const leaver = await socket();
    const joined = await leaver.request("media.join", { token: await token("leaving", "leaver", { canPublish: true }) });
    await leaver.request("media.transport.create", { direction: "send" });
    await leaver.request("media.transport.create", { direction: "recv" });
    expect(await transports()).toBe(baseline + 2);

    leaver.close();
    expect(await stayer.next((f) => f.t === "media.peerLeft", 5_000)).toMatchObject({ peerId: data(joined).peerId });
    await expect.poll(transports, { timeout: 5_000 }).toBe(baseline);
  });

  it("hands a peer over to the same identity's new socket, telling the old one", async () => {
    const first = await socket();
    const joined = data(await first.request("media.join", { token: await token("handover", "roamer") }));
    const second = await socket();
    const again = data(await second.request("media.join", { token: await token("handover", "roamer") }));
    expect(again).toMatchObject({ resumed: true, peerId: joined.peerId });
    await first.next((f) => f.t === "media.replaced");
    expect(await first.request("media.routerCapabilities")).toMatchObject({ t: "error", code: "not_joined" });
    expect(await second.request("media.routerCapabilities")).toMatchObject({ t: "ok" });
  });

  it("keeps hidden peers out of the participant list", async () => {
    const visible = await socket();
    expect((await visible.request("media.join", { token: await token("hide", "visible") })).t).toBe("ok");
    const hidden = await socket();
    const reply = await hidden.request("media.join", { token: await token("hide", "moderator", { hidden: true }) });
    expect(data(reply).peers).toEqual([{ id: expect.any(String), identity: "visible", name: "visible" }]);
    const late = await socket();
    expect(data(await late.request("media.join", { token: await token("hide", "late") })).peers.map((p: { identity: string }) => p.identity)).toEqual(["visible"]);
    expect(visible.frames.filter((f) => f.t === "media.peerJoined").map((f) => (f.peer as { identity: string }).identity)).toEqual(["late"]);
  });

  it("lets a viewer consume and resume 40 producers in two batched messages under the default rate limit", async () => {
    // Four publishers with ten producers each (the transports need no media to produce on).
    const producerIds: string[] = [];
    for (let p = 0; p < 4; p++) {
      const publisher = await socket();
      expect((await publisher.request("media.join", { token: await token("crowd", `pub-${p}`, { canPublish: true }) })).t).toBe("ok");
      const send = data(await publisher.request("media.transport.create", { direction: "send" }));
      for (let i = 0; i < 10; i++) {
        const rtpParameters = { mid: String(i), codecs: [{ mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }], encodings: [{ ssrc: 10_000 * (p + 1) + i }] };
        const produced = await publisher.request("media.produce", { transportId: send.transportId, kind: "video", source: "camera", rtpParameters });
        producerIds.push(data(produced).producerId);
      }
    }
    const viewer = await socket();
    const joined = data(await viewer.request("media.join", { token: await token("crowd", "audience") }));
    expect(joined.producers.map((p: { id: string }) => p.id).sort()).toEqual([...producerIds].sort());
    const codecs = joined.routerRtpCapabilities.codecs.filter((c: { mimeType: string }) => c.mimeType === "video/VP8" || c.mimeType === "video/rtx");
    expect((await viewer.request("media.capabilities", { rtpCapabilities: { codecs, headerExtensions: [] } })).t).toBe("ok");
    expect((await viewer.request("media.transport.create", { direction: "recv" })).t).toBe("ok");

    // One message for every consumer (a bad id fails alone), one to resume them all.
    const consumed = await viewer.request("media.consumeMany", { producerIds: [...producerIds, "gone"] });
    expect(consumed.t).toBe("ok");
    const items = data(consumed).consumers as { consumerId?: string; producerId: string; kind?: string; error?: unknown }[];
    expect(items).toHaveLength(41);
    expect(items.slice(0, 40).map((c) => c.producerId)).toEqual(producerIds);
    expect(items.slice(0, 40).every((c) => c.consumerId && c.kind === "video" && !c.error)).toBe(true);
    expect(items[40]).toEqual({ producerId: "gone", error: { code: "not_found", message: expect.any(String) } });
    const consumerIds = items.slice(0, 40).map((c) => c.consumerId!);
    expect(await viewer.request("media.consumers.resume", { consumerIds: [...consumerIds, "nope"] })).toMatchObject({
      t: "ok",
      data: { errors: [{ consumerId: "nope", error: { code: "not_found" } }] },
    });
    expect(viewer.frames.some((f) => f.t === "error")).toBe(false);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/^plenary_sfu_consumers (\d+)/m.exec(metrics)![1])).toBeGreaterThanOrEqual(40);

    // Batches are bounded and validated.
    const tooMany = Array.from({ length: 101 }, (_, i) => `p${i}`);
    expect(await viewer.request("media.consumeMany", { producerIds: tooMany })).toMatchObject({ t: "error", code: "validation_failed" });
    expect(await viewer.request("media.consumeMany", { producerIds: [] })).toMatchObject({ t: "error", code: "validation_failed" });
    expect(await viewer.request("media.consumers.resume", { consumerIds: [42] })).toMatchObject({ t: "error", code: "validation_failed" });
  });
});
