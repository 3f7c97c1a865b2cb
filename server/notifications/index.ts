/**
 * Chat, polls, Q&A, reactions and notifications wired into the server: their realtime
 * messages, routes and job kinds. `close()` stops their timers.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { Gauge, type Registry } from "prom-client";
import { ChatRooms } from "../chat/ChatRooms.ts";
import { registerConversations } from "../chat/conversations.ts";
import { registerChatMessages } from "../chat/messages.ts";
import { registerModeration } from "../chat/moderation.ts";
import { endSubscriptionsOnLostAccess } from "../chat/revocation.ts";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { JobRunner } from "../jobs/index.ts";
import type { Logger } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import { registerPolls } from "../polls/polls.ts";
import { registerQa } from "../qa/qa.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { ReactionAggregator, registerReactions } from "../reactions/reactions.ts";
import { registerAnnouncements } from "./announcements.ts";
import { Notifier } from "./Notifier.ts";
import { defineReminderJob, startReminderSweep } from "./reminders.ts";
import { registerNotificationRoutes } from "./routes.ts";
import { defineScheduleJob, sessionRescheduled } from "./schedule.ts";

export { planEventReminders, planSessionReminders } from "./reminders.ts";
export { Notifier } from "./Notifier.ts";

export type EngagementDeps = {
  app: FastifyInstance;
  router: MessageRouter;
  db: Kysely<DB>;
  fanout: Fanout;
  jobs: JobRunner;
  mailer: Mailer;
  config: Config;
  log: Logger;
  /** Prometheus registry for the chat's gauges. */
  registry: Registry;
  /** The server's own address, for links when no public URL is known. */
  fallbackUrl: () => string;
};

export type Engagement = {
  notifier: Notifier;
  /** After a session is created or moved: re-plans its reminders and tells its attendees of a move. */
  sessionRescheduled(sessionId: string): Promise<void>;
  startTimers(): void;
  close(): void;
};

export function registerEngagement(deps: EngagementDeps): Engagement {
  const { app, router, db, fanout, jobs, mailer, config, log } = deps;
  const notifier = new Notifier({ db, mailer, fanout, log, config, fallbackUrl: deps.fallbackUrl });
  const rooms = new ChatRooms(db, fanout, { blockCacheSize: config.chat.block_cache_users });
  new Gauge({
    name: "plenary_chat_block_cache_users",
    help: "Users whose block lists the chat holds in memory (at most chat.block_cache_users)",
    registers: [deps.registry],
    collect() {
      this.set(rooms.cachedBlockUsers);
    },
  });
  registerChatMessages(router, { db, rooms, notifier });
  registerConversations(router, { db, rooms });
  registerModeration(router, { db, rooms });
  const stopRevocation = endSubscriptionsOnLostAccess(db, rooms, log);
  registerPolls(app, router, { db, fanout });
  registerQa(router, { db, fanout, notifier });
  const aggregator = new ReactionAggregator(fanout);
  registerReactions(router, { db, fanout, aggregator });
  registerNotificationRoutes(app, router, { db, jobs, notifier });
  registerAnnouncements(app, { db, jobs, notifier });
  defineReminderJob(jobs, { db, notifier });
  defineScheduleJob({ db, jobs, notifier });
  let stopSweep = () => {};
  return {
    notifier,
    sessionRescheduled: (sessionId) => sessionRescheduled({ db, jobs, notifier }, sessionId),
    startTimers() {
      stopSweep = startReminderSweep(db, jobs, log);
    },
    close() {
      stopSweep();
      stopRevocation();
      aggregator.close();
    },
  };
}
