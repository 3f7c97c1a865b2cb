/**
 * Recording as the server runs it: the store from `[storage]`, the service (which refuses
 * to start without ffmpeg when recording is on), the API, a /readyz check for the store
 * and the plenary_recordings{state} gauge.
 */
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { Gauge, type Registry } from "prom-client";
import type { Sfu } from "../../sfu/Sfu.ts";
import type { LoadedConfig } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { createStorage } from "../storage/index.ts";
import { registerRecordingMessages } from "./messages.ts";
import { PlaybackSigner } from "./playback.ts";
import { recordingRoutes } from "./routes.ts";
import { RecordingService } from "./service.ts";

export { RecordingService } from "./service.ts";

const STATES = ["recording", "processing", "uploading", "ready", "failed"] as const;

export async function startRecordings(deps: {
  app: FastifyInstance;
  db: Kysely<DB>;
  config: LoadedConfig;
  sfu: Sfu;
  jobs: JobRunner;
  registry: Registry;
  log: Logger;
  /** The realtime router and fan-out: Q&A and poll logs while recording, disk warnings to hosts. */
  router: MessageRouter;
  fanout: Fanout;
}): Promise<RecordingService> {
  const storage = await createStorage(deps.config);
  const service = new RecordingService({
    db: deps.db,
    sfu: deps.sfu,
    jobs: deps.jobs,
    storage,
    fanout: deps.fanout,
    config: deps.config.recording,
    workDir: path.join(deps.config.paths.dataDir, "recordings-work"),
    log: deps.log.child({ module: "recordings" }),
  });
  await service.recoverAfterRestart();
  const signer = await PlaybackSigner.load(path.join(deps.config.paths.dataDir, "keys"));
  registerRecordingMessages(deps.router, { db: deps.db, fanout: deps.fanout });
  recordingRoutes(deps.app, { db: deps.db, service, signer, ttlSeconds: deps.config.recording.playback_ttl_seconds });
  new Gauge({
    name: "plenary_recordings",
    help: "Recordings by lifecycle state",
    labelNames: ["state"] as const,
    registers: [deps.registry],
    async collect() {
      const rows = await deps.db.selectFrom("recordings").select(["state", deps.db.fn.countAll<number>().as("n")]).groupBy("state").execute();
      for (const state of STATES) this.set({ state }, Number(rows.find((r) => r.state === state)?.n ?? 0));
    },
  });
  return service;
}

/** "ok" when the store answers; otherwise what fails. */
export async function storageReadiness(service: RecordingService): Promise<string> {
  try {
    return await service.storage.check();
  } catch (error) {
    return `failing: ${error instanceof Error ? error.message : String(error)}`;
  }
}
