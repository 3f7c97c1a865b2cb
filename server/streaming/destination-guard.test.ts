import { describe, expect, it } from "vitest";
import { LivePush } from "../../recorder/live-push.ts";
import { AppError } from "../errors.ts";
import { createLogger } from "../log.ts";
import { assertPublicDestination, isInternalAddress } from "./destination-guard.ts";

const closed = { allowPrivate: false, allowedHosts: [] };
const codeOf = (promise: Promise<unknown>) => promise.then(() => "accepted", (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe("destination guard", () => {
  it("knows the internal ranges of IPv4 and IPv6, IPv4-mapped addresses included", () => {
    for (const address of [
      "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254",
      "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255",
      "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a00:1",
    ]) expect(isInternalAddress(address), address).toBe(true);
    for (const address of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
      expect(isInternalAddress(address), address).toBe(false);
    }
  });

  it("refuses internal hosts, literal or resolved, unless the operator allows them", async () => {
    for (const url of ["rtmp://127.0.0.1/live", "rtmps://[::1]:443/app", "rtmp://localhost:1935/live", "rtmp://169.254.169.254/latest", "rtmp://[::ffff:192.168.0.10]/live", "rtmp://10.0.0.8/x"]) {
      expect(await codeOf(assertPublicDestination(url, closed)), url).toBe("destination_not_public");
    }
    expect(await codeOf(assertPublicDestination("rtmp://203.0.113.9/live", closed))).toBe("accepted");
    expect(await codeOf(assertPublicDestination("rtmp://127.0.0.1/live", { allowPrivate: true, allowedHosts: [] }))).toBe("accepted");
    expect(await codeOf(assertPublicDestination("rtmp://relay.lan/live", { allowPrivate: false, allowedHosts: ["RELAY.lan"] }))).toBe("accepted");
    expect(await codeOf(assertPublicDestination("rtmp://10.0.0.9/live", { allowPrivate: false, allowedHosts: ["relay.lan"] }))).toBe("destination_not_public");
  });

  it("checks again before every connection: a refused check is a failed attempt with its reason, and no ffmpeg runs", async () => {
    let checks = 0;
    const push = new LivePush({
      id: "d1", name: "Rebound", url: "rtmp://rebound.example/live/key-1234", ffmpeg: "/nonexistent/ffmpeg", log: createLogger("silent"), backoffMs: 20,
      beforeConnect: async () => {
        checks += 1;
        throw new Error("The ingest host rebound.example is an internal address (or resolves to one)");
      },
    });
    await expect.poll(() => checks, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
    expect(push.health).toMatchObject({ state: expect.stringMatching(/retrying|connecting/), lastError: expect.stringContaining("internal address") });
    await push.stop();
  });
});
