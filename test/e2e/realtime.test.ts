import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/server.ts";
import { TestSocket } from "../support/ws-client.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      PLENARY_REALTIME_MAX_FRAME_BYTES: "4096",
      PLENARY_REALTIME_HEARTBEAT_INTERVAL_MS: "300",
      // Generous against a loaded machine: a healthy client must never miss it.
      PLENARY_REALTIME_HEARTBEAT_TIMEOUT_MS: "1500",
      PLENARY_REALTIME_RATE_LIMIT_PER_SECOND: "20",
      PLENARY_REALTIME_RATE_LIMIT_BURST: "10",
    },
  });
});
afterAll(() => server?.stop());

describe("/ws", () => {
  it("greets a new connection and answers a request exactly once", async () => {
    const socket = await TestSocket.open(server.url);
    const hello = await socket.next((f) => f.t === "sys.hello");
    expect(hello).toMatchObject({ heartbeatMs: 300, connectionId: expect.any(String) });

    const reply = await socket.request("sys.echo", { data: "hé 👋" });
    expect(reply).toEqual({ t: "ok", id: expect.any(Number), data: { data: "hé 👋" } });
    const ping = await socket.request("sys.ping");
    expect(ping.t).toBe("ok");
    await new Promise((r) => setTimeout(r, 100));
    expect(socket.frames.filter((f) => f.id === reply.id)).toHaveLength(1);
    socket.close();
  });

  it("answers bad frames with typed errors and keeps the connection", async () => {
    const socket = await TestSocket.open(server.url);
    const unknown = await socket.request("nope.nothing");
    expect(unknown).toMatchObject({ t: "error", code: "unknown_type" });

    const invalid = await socket.request("sys.echo", { data: 42, extra: true });
    expect(invalid).toMatchObject({ t: "error", code: "validation_failed" });
    expect((invalid.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(["(body)", "data"]);

    socket.ws.send("{not json");
    expect(await socket.next((f) => f.code === "invalid_json")).toMatchObject({ t: "error", id: null });

    socket.sendJson({ id: 99, t: 5 });
    expect(await socket.next((f) => f.id === 99)).toMatchObject({ t: "error", code: "validation_failed" });

    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await socket.next((f) => f.code === "invalid_frame")).toMatchObject({ t: "error" });

    expect((await socket.request("sys.ping")).t).toBe("ok");
    socket.close();
  });

  it("closes a connection that sends an oversized frame (1009) without disturbing others", async () => {
    const bystander = await TestSocket.open(server.url);
    const offender = await TestSocket.open(server.url);
    offender.sendJson({ t: "sys.echo", id: 1, data: "x".repeat(5_000) });
    expect((await offender.closed).code).toBe(1009);
    expect(await bystander.request("sys.echo", { data: "still here" })).toMatchObject({ t: "ok" });
    bystander.close();
  });

  it("rate-limits a flooding client, then closes it with 4429", async () => {
    const socket = await TestSocket.open(server.url);
    await socket.next((f) => f.t === "sys.hello");
    for (let i = 1; i <= 15; i++) socket.sendJson({ t: "sys.ping", id: i });
    const replies = await Promise.all(
      Array.from({ length: 15 }, (_, i) => socket.next((f) => f.id === i + 1)),
    );
    const limited = replies.filter((r) => r.code === "rate_limited").length;
    expect(replies.filter((r) => r.t === "ok").length).toBeGreaterThanOrEqual(10);
    expect(limited).toBeGreaterThanOrEqual(1);

    // Keeps flooding after being told: closed.
    for (let i = 100; i < 140; i++) socket.sendJson({ t: "sys.ping", id: i });
    expect(await socket.closed).toEqual({ code: 4429, reason: "Rate limited" });
  });

  it("closes a connection that stops answering pings (4408) and keeps one that answers", async () => {
    const silent = await TestSocket.open(server.url, { autoPong: false });
    const healthy = await TestSocket.open(server.url);
    expect(await silent.closed).toEqual({ code: 4408, reason: "Heartbeat timeout" });
    // Several heartbeat rounds later the healthy one still works.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    expect((await healthy.request("sys.ping")).t).toBe("ok");
    healthy.close();
  });

  it("refuses upgrades on other paths", async () => {
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(server.url.replace("http", "ws") + "/other");
    const error = await new Promise<Error>((resolve) => ws.once("error", resolve));
    expect(error.message).toMatch(/404/);
  });
});
