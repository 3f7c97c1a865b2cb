/**
 * Live streaming out as the server runs it: the destinations store (stream keys sealed
 * under `keys/stream-keys.key`), the LiveService, and the API. Watch links reuse the
 * recordings' playback signer (`keys/recording-links.key`) under the session's id. State
 * and health reach the rooms over the realtime socket (messages.ts).
 */
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { PlaybackSigner } from "../recordings/playback.ts";
import { Destinations } from "./destinations.ts";
import { registerStreamingMessages } from "./messages.ts";
import { streamingRoutes } from "./routes.ts";
import { SecretBox } from "./secret-box.ts";
import { LiveService } from "./service.ts";

export { LiveService } from "./service.ts";

export async function startStreaming(deps: { app: FastifyInstance; db: Kysely<DB>; config: LoadedConfig; sfu: Sfu; log: Logger; router: MessageRouter; fanout: Fanout }): Promise<LiveService> {
  const keysDir = path.join(deps.config.paths.dataDir, "keys");
  const { allow_private_destinations: allowPrivate, allowed_destination_hosts: hosts } = deps.config.streaming;
  const policy = { allowPrivate, allowedHosts: hosts.split(",").map((h) => h.trim()).filter(Boolean) };
  const destinations = new Destinations(deps.db, await SecretBox.load(keysDir), policy);
  const service = new LiveService({
    sfu: deps.sfu,
    destinations,
    config: deps.config.streaming,
    ffmpegPath: deps.config.recording.ffmpeg_path,
    liveDir: path.join(deps.config.paths.dataDir, "live"),
    fanout: deps.fanout,
    log: deps.log.child({ module: "streaming" }),
  });
  const signer = await PlaybackSigner.load(keysDir);
  registerStreamingMessages(deps.router, { db: deps.db, fanout: deps.fanout, service });
  streamingRoutes(deps.app, { db: deps.db, service, destinations, signer, watchTtlSeconds: deps.config.streaming.watch_ttl_seconds });
  return service;
}
