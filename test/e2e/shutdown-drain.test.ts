/**
 * SIGTERM under load, against the real server process: loops of requests (checkouts and
 * reads, each on a new connection, as a load balancer's health checks and many browsers
 * make them, with a few milliseconds between them, and honouring Retry-After) run while the
 * signal lands. Every request is answered normally, or with 503 and
 * `Connection: close`, or its connection is refused once the listener has closed; none is
 * accepted and then reset (ECONNRESET, "socket hang up"), which is what the old close order
 * did to connections that arrived while sockets, recordings and media were being closed.
 */
import http from "node:http";
import { expect, it } from "vitest";
import { firstAdmin } from "../support/accounts.ts";
import { startServer } from "../support/server.ts";
import { type Sales, seedSales } from "./database-support.ts";

type Outcome = { status: number; connection: string | undefined; retryAfter: string | undefined } | { error: string };

/** One request on its own connection (no keep-alive agent). */
function request(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(`${url}${path}`, { method, agent: false, headers: { ...headers, ...(body ? { "content-length": Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, retryAfter: res.headers["retry-after"] }));
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

function checkout(url: string, sales: Sales, i: number): Promise<Outcome> {
  const body = JSON.stringify({ seats: [{ ticketTypeId: sales.typeId, name: `Buyer ${i}`, email: `seat-${i}@example.org` }] });
  return request(url, "POST", `/api/events/${sales.eventId}/checkout`, {
    "content-type": "application/json", cookie: sales.cookies[i % sales.cookies.length], origin: url, "idempotency-key": `k-${i}-${Date.now()}-${Math.random()}`,
  }, body);
}

it("answers or refuses every request that arrives during shutdown, and resets none", async () => {
  const server = await startServer({ env: { PLENARY_CHECKOUT_MAX_PER_IP_PER_MINUTE: "1000000", PLENARY_CHECKOUT_MAX_PER_BUYER_PER_MINUTE: "1000000" } });
  await firstAdmin(server);
  const sales = await seedSales(server.dataDir, 8);
  const outcomes: Outcome[] = [];
  let exited = false;
  const exit = new Promise<number | null>((resolve) => server.process.once("exit", (code) => resolve(code)));
  // Loops run until the process is gone and one more round has been refused.
  const loop = async (n: number) => {
    for (let i = 0; ; i++) {
      const outcome = n % 2 === 0 ? await checkout(server.url, sales, n * 100_000 + i) : await request(server.url, "GET", n % 4 === 1 ? "/readyz" : "/healthz");
      outcomes.push(outcome);
      if (exited && "error" in outcome) return;
      // A little think time, as browsers and health checkers have, and Retry-After honoured on a
      // 503: a client that keeps reconnecting can always land in the kernel's accept queue in the
      // instant the listener closes, and the kernel resets those whatever the server does.
      const retryAfter = "status" in outcome && outcome.status === 503 ? Number(outcome.retryAfter ?? 0) * 1000 : 0;
      await new Promise((r) => setTimeout(r, retryAfter || 5 + Math.random() * 20));
    }
  };
  const loops = Array.from({ length: 8 }, (_, n) => loop(n));
  while (outcomes.filter((o) => "status" in o && o.status < 300).length < 40) await new Promise((r) => setTimeout(r, 20));
  const beforeSignal = outcomes.length;
  server.process.kill("SIGTERM");
  expect(await exit).toBe(0);
  exited = true;
  await Promise.all(loops);
  await server.stop();

  const during = outcomes.slice(beforeSignal);
  const resets = during.filter((o) => "error" in o && o.error !== "ECONNREFUSED");
  expect(resets, JSON.stringify({ resets, log: server.logs.filter((l) => String(l.msg).startsWith("stopped accepting")) })).toEqual([]);
  const unavailable = during.filter((o) => "status" in o && o.status === 503);
  for (const o of unavailable) expect(o).toMatchObject({ connection: "close" });
  const other = during.filter((o) => "status" in o && ![200, 201, 503].includes(o.status));
  expect(other, JSON.stringify(other)).toEqual([]);
  // Every loop saw the listener go away.
  expect(during.filter((o) => "error" in o).length).toBeGreaterThanOrEqual(8);
}, 120_000);
