/**
 * What the process does with an error that nobody caught (docs/design.md, "Faults nobody
 * caught"). A rejected promise nobody awaited is a task that failed on its own (a
 * fire-and-forget in recording, streaming, mail, uploads): it is logged with its error,
 * counted in plenary_unhandled_rejections_total (alert on any increase), and the server
 * keeps serving — every room, socket and checkout in flight stays up. A synchronous
 * exception that unwound to the event loop left some operation half-done in memory (rooms,
 * transports, maps), which nothing can tell apart from sound state: it is logged as fatal
 * and the process exits 1, so the supervisor (systemd, compose, Kubernetes) starts a clean
 * one; what was in flight is recovered at start (durable jobs, recordings processed from
 * their work folder).
 */
import { Counter, type Registry } from "prom-client";
import type { Logger } from "./log.ts";

/** Installs the policy; returns what removes it again (on close). */
export function installFaultPolicy(log: Logger, registry: Registry, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const rejections = new Counter({
    name: "plenary_unhandled_rejections_total",
    help: "Promise rejections nobody handled (logged; the server kept serving)",
    registers: [registry],
  });
  const onRejection = (reason: unknown) => {
    rejections.inc();
    log.error({ err: reason }, "unhandled promise rejection: a background task failed; the server keeps serving");
  };
  const onException = (err: Error, origin: string) => {
    log.fatal({ err, origin }, "uncaught exception: the process state cannot be trusted; exiting for a clean restart");
    exit(1);
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}
