/** The IPC between bench/fanout.ts and the socket.io server process it measures (CPU and memory come from /proc). */

export type ServerReply = { type: "ready"; port: number; pid: number };

/** In a server process: announce the port; exit when the driver goes. */
export function serveMeasurements(port: number): void {
  process.on("disconnect", () => process.exit(0));
  process.send!({ type: "ready", port, pid: process.pid } satisfies ServerReply);
}
