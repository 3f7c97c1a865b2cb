/**
 * SFU metrics on the server's Prometheus registry, read from the live model at scrape
 * time (nothing to keep in sync): rooms, peers, transports, producers, consumers, and
 * each worker's CPU time and memory from getResourceUsage().
 */
import { Gauge, type Registry } from "prom-client";
import type { Sfu } from "./Sfu.ts";

export function registerSfuMetrics(registry: Registry, sfu: Sfu): void {
  const count = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const peers = () => [...sfu.rooms.values()].flatMap((room) => [...room.peers.values()]);
  count("plenary_sfu_rooms", "Open media rooms", () => sfu.rooms.size);
  count("plenary_sfu_peers", "Peers in media rooms", () => peers().length);
  count("plenary_sfu_transports", "Open WebRTC transports", () => peers().reduce((n, p) => n + p.transports.size, 0));
  count("plenary_sfu_producers", "Producers (tracks sent to the SFU)", () => peers().reduce((n, p) => n + p.producers.size, 0));
  count("plenary_sfu_consumers", "Consumers (tracks sent by the SFU)", () => peers().reduce((n, p) => n + p.consumers.size, 0));
  count("plenary_sfu_workers_alive", "mediasoup workers running", () => sfu.pool.health.alive);

  const usage = async () =>
    Promise.all(
      sfu.pool.workers.map(async (w) => ({ worker: String(w.index), usage: await w.worker.getResourceUsage().catch(() => undefined) })),
    );
  new Gauge({
    name: "plenary_sfu_worker_cpu_seconds",
    help: "CPU time used by each mediasoup worker process (user + system), in seconds",
    labelNames: ["worker", "mode"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { worker, usage: u } of await usage()) {
        if (!u) continue;
        this.set({ worker, mode: "user" }, u.ru_utime / 1000);
        this.set({ worker, mode: "system" }, u.ru_stime / 1000);
      }
    },
  });
  new Gauge({
    name: "plenary_sfu_worker_max_rss_bytes",
    help: "Peak resident memory of each mediasoup worker process, in bytes",
    labelNames: ["worker"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { worker, usage: u } of await usage()) if (u) this.set({ worker }, u.ru_maxrss * 1024);
    },
  });
}
