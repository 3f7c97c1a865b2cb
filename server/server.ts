/**
 * Composition root: opens the database, migrates it, wires the HTTP app and the realtime
 * hub, and owns their lifecycle. `close()` is safe to call twice.
 */
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { onAccessLost } from "./accounts/access-signals.ts";
import { accessTokenVerifier } from "./accounts/bearer-tokens.ts";
import { SigningKeys } from "./accounts/keys.ts";
import { createRealtimeGate } from "./accounts/realtime-gate.ts";
import { registerAccountRoutes } from "./accounts/routes.ts";
import { Throttle } from "./accounts/throttle.ts";
import { adminExists } from "./accounts/users.ts";
import type { LoadedConfig } from "./config/index.ts";
import { migrateToLatest } from "./db/migrate.ts";
import type { DB } from "./db/schema.ts";
import { openSqlite } from "./db/sqlite.ts";
import { guardDatabaseWrites } from "./db/guard.ts";
import { DatabaseHealth } from "./db/health.ts";
import { assertDatabaseSound, damagedOr } from "./db/integrity.ts";
import { BackupSchedule } from "./backup/schedule.ts";
import { trackHttpDrain } from "./http/drain.ts";
import { registerFeedback } from "./feedback/index.ts";
import { createHttpApp } from "./http/app.ts";
import { startMetricsListener } from "./http/metrics-endpoint.ts";
import { registerJobMetrics } from "./jobs/metrics.ts";
import { JobRunner } from "./jobs/runner.ts";
import type { Logger } from "./log.ts";
import { Mailer } from "./mail/mailer.ts";
import { createMetrics } from "./metrics.ts";
import { installFaultPolicy } from "./process-faults.ts";
import { GoingAway } from "./realtime/close-codes.ts";
import { Fanout } from "./realtime/fanout.ts";
import { RealtimeHub } from "./realtime/hub.ts";
import { MessageRouter } from "./realtime/router.ts";
import { registerSystemMessages } from "./realtime/system-messages.ts";
import { organizationRoutes } from "./organizations/routes.ts";
import { registerEventRoutes } from "./events/routes.ts";
import { paymentProviderFrom } from "./payments/index.ts";
import { refundCancelledEvent } from "./revenue/refunds.ts";
import { revenueRoutes } from "./revenue/routes.ts";
import { adminRevenueRoutes } from "./revenue/admin-routes.ts";
import { offerSeatsToWaitlist } from "./revenue/waitlist-hook.ts";
import { registerEngagement } from "./notifications/index.ts";
import { discoveryRoutes } from "./discovery/routes.ts";
import { roomDirectory } from "./rooms/directory.ts";
import { roomRoutes } from "./rooms/routes.ts";
import { checkinRoutes } from "./checkin/routes.ts";
import { registerTicketing } from "./ticketing/index.ts";
import { firstRunRoutes, SetupGate } from "./setup/first-run.ts";
import { publicProfileRoutes } from "./speakers-public/routes.ts";
import { registerSponsors } from "./sponsors/index.ts";
import { TicketKeys } from "./tickets/ticket-keys.ts";
import type { Sfu } from "../sfu/Sfu.ts";
import { sfuReadiness, startMediaService } from "../sfu/service.ts";
import { type RecordingService, startRecordings, storageReadiness } from "./recordings/index.ts";
import { type LiveService, startStreaming } from "./streaming/index.ts";

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL("../client/dist", import.meta.url));

export type RunningServer = {
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Set while no admin exists: the link that opens the first-run page. */
  setupUrl: string | null;
  app: FastifyInstance;
  db: Kysely<DB>;
  hub: RealtimeHub;
  /** JWT signing keys: pass to mintJoinToken/verifyJoinToken (server/accounts/join-tokens.ts). */
  keys: SigningKeys;
  /** Ed25519 ticket keys: sign codes with `ticketKeys.sign`, hand scanners `publicKeysJson()`. */
  ticketKeys: TicketKeys;
  /** The realtime message table (the permission matrix test walks it). */
  router: MessageRouter;
  /** Topic broadcast for chat, reactions and other pushes to many connections. */
  fanout: Fanout;
  /** The durable job queue: domain modules define their kinds on it and enqueue jobs. */
  jobs: JobRunner;
  /** The media rooms and their mediasoup workers. */
  sfu: Sfu;
  close(): Promise<void>;
};

export async function startServer(
  config: LoadedConfig,
  log: Logger,
  options: { clientDir?: string } = {},
): Promise<RunningServer> {
  // A damaged file is refused before anything writes into it (DatabaseDamagedError names the way out).
  if (config.database.startup_check === "quick") assertDatabaseSound(config.paths);
  let db: Kysely<DB>;
  try {
    db = openSqlite({ file: config.paths.database, busyTimeoutMs: config.database.busy_timeout_ms, synchronous: config.database.synchronous });
  } catch (error) {
    throw damagedOr(error, config.paths);
  }
  try {
    const applied = await migrateToLatest(db as Kysely<unknown>);
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.migrationName) }, "database migrated");
  } catch (error) {
    await db.destroy();
    throw damagedOr(error, config.paths);
  }
  const health = new DatabaseHealth({ paths: config.paths, config: config.database, log });
  await health.start();

  let keys: SigningKeys;
  let ticketKeys: TicketKeys;
  try {
    keys = await SigningKeys.load(path.join(config.paths.dataDir, "keys"));
    ticketKeys = TicketKeys.load(path.join(config.paths.dataDir, "keys"));
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const verifyAccessToken = accessTokenVerifier(keys, db);
  const metrics = createMetrics();
  const removeFaultPolicy = installFaultPolicy(log, metrics.registry);
  const router = new MessageRouter();
  registerSystemMessages(router);
  const sfu = await startMediaService(config.sfu, { router, keys, metrics, log, directory: roomDirectory(db, config.rooms) }).catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  const hub = new RealtimeHub({ config: config.realtime, router, log, metrics, gate: createRealtimeGate(config, db, verifyAccessToken), trustProxy: config.http.trust_proxy });
  // Shed load for a slow reader well before the hub would close it for its buffer (1013).
  const fanout = new Fanout({ slowConsumerBytes: Math.floor(config.realtime.max_buffered_bytes / 4) });
  const app = createHttpApp({
    config, log, metrics, db, hub,
    clientDir: options.clientDir ?? DEFAULT_CLIENT_DIR,
    verifyAccessToken,
    readyChecks: {
      sfu: () => sfuReadiness(sfu),
      storage: () => (recordings ? storageReadiness(recordings) : "failing: starting"),
      recordings_disk: () => (recordings ? recordings.diskReadiness() : "failing: starting"),
      database_integrity: () => health.integrityReadiness(),
      database_disk: () => health.diskReadiness(),
    },
    readyDetails: async () => ({ backup: await backups.status() }),
  });
  guardDatabaseWrites(app, health);
  const httpDrain = trackHttpDrain(app);
  const gate = new SetupGate();
  firstRunRoutes(app, db, gate, config.accounts.session_days);
  const mailer = new Mailer(db, config.mail, log);
  const jobs = new JobRunner({ db, config: config.jobs, log });
  const backups = new BackupSchedule({ config, db, jobs, log });
  registerJobMetrics(metrics.registry, db);
  const throttle = new Throttle({ maxPerIp: config.accounts.max_requests_per_ip, maxFailures: config.accounts.max_failed_logins });
  registerAccountRoutes(app, { db, config, mailer, throttle, sockets: hub }, keys);
  organizationRoutes(app, db);
  const payments = paymentProviderFrom(config);
  registerEventRoutes(app, {
    db, config, mailer, payments,
    // Re-plans the session's reminders and tells its attendees when it moved (server/notifications).
    // ... and its invitation to rate (server/feedback).
    sessionRescheduled: async (sessionId) => {
      await engagement.sessionRescheduled(sessionId);
      await feedback.sessionMoved(sessionId);
    },
    eventMoved: (eventId) => feedback.eventMoved(eventId),
    eventCancelled: (eventId, actor) => refundCancelledEvent(db, { provider: payments }, eventId, actor),
  });
  // Chat, polls, Q&A, reactions, notifications; links fall back to the listen address set below.
  let listenUrl = "";
  const engagement = registerEngagement({ app, router, db, fanout, jobs, mailer, config, log, registry: metrics.registry, fallbackUrl: () => listenUrl });
  const feedback = registerFeedback(app, { db, jobs, notifier: engagement.notifier, log });
  const sponsors = registerSponsors(app, router, { db, fanout, log });
  publicProfileRoutes(app, db);
  discoveryRoutes(app, db);
  roomRoutes(app, { db, keys, routerRtpCapabilities: () => sfu.rtpCapabilities });
  // Refuses to start with recording on and no ffmpeg (the error says how to fix it).
  const recordings: RecordingService = await startRecordings({ app, db, config, sfu, jobs, registry: metrics.registry, log, router, fanout }).catch(async (error: unknown) => {
    sfu.close();
    await app.close();
    await db.destroy();
    throw error;
  });
  // A ban takes the person out of every media room at once, not after the reconnect grace.
  const stopRoomBans = onAccessLost(
    (loss) => {
      if (loss.reason === "banned") sfu.removeIdentity(loss.userId);
    },
    (err) => log.error({ err }, "removing a banned user from rooms failed"),
  );
  const streaming: LiveService = await startStreaming({ app, db, config, sfu, log, router, fanout });
  checkinRoutes(app, { db, ticketKeys, fanout, router });
  const ticketing = { db, config, jobs, mailer, ticketKeys, provider: payments, log };
  revenueRoutes(app, { db, provider: payments, seatsReleased: offerSeatsToWaitlist(ticketing, () => listenUrl) });
  adminRevenueRoutes(app, db);
  registerTicketing(app, ticketing, () => listenUrl);

  await app.listen({ host: config.http.host, port: config.http.port });
  const url = app.listenUrl();
  // Behind a proxy or in a container the listen address is not what a browser can reach.
  const setupUrl = (await adminExists(db)) ? null : `${await app.publicBaseUrl()}/setup?token=${gate.token}`;
  // Set once the server runs (below); close() stops it.
  let metricsListener: Server | null = null;
  listenUrl = url;
  await backups.start();
  jobs.start();
  engagement.startTimers();
  feedback.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      log.info("shutting down");
      stopRoomBans();
      // HTTP first: stop listening, answer what was already accepted (Connection: close), then
      // let Fastify close (503 to anything later); it finishes once the sockets below are closed.
      const drained = await httpDrain.drain(Math.floor(config.shutdown.grace_ms / 2));
      if (drained.inFlight > 0) log.warn(drained, "requests still in flight after half the shutdown grace period");
      else log.info(drained, "stopped accepting connections; requests in flight answered");
      const httpClosed = app.close();
      await hub.close(GoingAway);
      // Live recordings stop as a host's stop does (files finalized, processing queued) while the rooms still exist.
      await recordings.close();
      await streaming.close();
      sfu.close();
      await httpClosed;
      await new Promise((resolve) => (metricsListener ? metricsListener.close(resolve) : resolve(undefined)));
      await health.close();
      fanout.close();
      engagement.close();
      feedback.close();
      sponsors.close();
      // Before the mailer and the database: a running job may still need both.
      await jobs.stop();
      await mailer.close();
      await db.destroy();
      removeFaultPolicy();
      log.info("stopped");
    })());

  try {
    metricsListener = await startMetricsListener(config, metrics);
  } catch (error) {
    await close();
    throw new Error(`cannot listen on metrics.listen ${config.metrics.listen}: ${(error as Error).message}`);
  }

  return { url, setupUrl, app, db, hub, router, fanout, jobs, keys, ticketKeys, sfu, close };
}
