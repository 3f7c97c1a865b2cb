import { z } from "zod";
import type { MessageRouter } from "./router.ts";

/** Messages every connection may send, whoever it is. */
export function registerSystemMessages(router: MessageRouter): void {
  router.on("sys.ping", {
    schema: z.strictObject({}),
    action: "system.ping",
    access: "anyone",
    handle: () => ({ serverTime: Date.now() }),
  });

  // Round-trip diagnostics for clients and bench/ws-echo.ts: the payload comes back as sent.
  router.on("sys.echo", {
    schema: z.strictObject({ data: z.string().max(16_384) }),
    action: "system.echo",
    access: "anyone",
    handle: ({ data }) => ({ data }),
  });
}
