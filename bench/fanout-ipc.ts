/** The IPC between bench/fanout.ts and the server processes it measures. */

export type ServerReply =
  | { type: "ready"; port: number }
  | { type: "memory"; rss: number; heapUsed: number }
  | { type: "cpu"; userMs: number; systemMs: number; wallMs: number; stats: unknown };

export type ServerRequest = { type: "memory" } | { type: "cpu-start" } | { type: "cpu-stop" };

/** In a server process: announce the port, then answer memory and CPU questions. */
export function serveMeasurements(port: number, stats: () => unknown): void {
  let cpuStart = process.cpuUsage();
  let wallStart = performance.now();
  const reply = (message: ServerReply) => process.send!(message);
  process.on("message", (message: ServerRequest) => {
    if (message.type === "memory") {
      globalThis.gc?.();
      const usage = process.memoryUsage();
      reply({ type: "memory", rss: usage.rss, heapUsed: usage.heapUsed });
    } else if (message.type === "cpu-start") {
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
    } else if (message.type === "cpu-stop") {
      const used = process.cpuUsage(cpuStart);
      reply({ type: "cpu", userMs: used.user / 1_000, systemMs: used.system / 1_000, wallMs: performance.now() - wallStart, stats: stats() });
    }
  });
  process.on("disconnect", () => process.exit(0));
  reply({ type: "ready", port });
}
