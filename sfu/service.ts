/**
 * The SFU as the server runs it: workers from the `[sfu]` config, the media messages on
 * the realtime router, the metrics on the server's registry, and a readiness check.
 */
import type { Registry } from "prom-client";
import type { SigningKeys } from "../server/accounts/keys.ts";
import type { Config } from "../server/config/index.ts";
import type { Logger } from "../server/log.ts";
import type { MessageRouter } from "../server/realtime/router.ts";
import { registerSfuMetrics } from "./metrics.ts";
import type { RoomDirectory } from "./RoomControl.ts";
import { Sfu } from "./Sfu.ts";
import { registerMediaMessages } from "./signaling.ts";

export async function startMediaService(
  config: Config["sfu"],
  deps: { router: MessageRouter; keys: SigningKeys; metrics: { registry: Registry }; log: Logger; directory?: RoomDirectory },
): Promise<Sfu> {
  const sfu = await Sfu.create({
    workers: config.workers,
    workerBin: config.worker_bin,
    logLevel: config.log_level,
    listenIp: config.listen_ip,
    announcedAddress: config.announced_address,
    rtcPort: config.rtc_port,
    consumerBudget: config.consumer_budget,
    reconnectGraceMs: config.reconnect_grace_ms,
    log: deps.log.child({ module: "sfu" }),
  });
  const turn = {
    urls: config.turn_urls.split(",").map((u) => u.trim()).filter(Boolean),
    secret: config.turn_secret,
    ttlSeconds: config.turn_credential_ttl_seconds,
  };
  registerMediaMessages(deps.router, { sfu, keys: deps.keys, turn, log: deps.log, directory: deps.directory });
  registerSfuMetrics(deps.metrics.registry, sfu);
  return sfu;
}

/** "ok" when every worker the pool should have is alive; otherwise what is missing. */
export function sfuReadiness(sfu: Sfu): string {
  const { expected, alive } = sfu.pool.health;
  if (sfu.closed) return "failing: closed";
  return alive === expected ? "ok" : `failing: ${alive} of ${expected} media workers alive`;
}
