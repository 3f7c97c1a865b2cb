/**
 * The sponsor overlay of a live session: a banner or lower third over the stage that the
 * session's hosts (the event's owners, co-hosts and moderators) control over the realtime
 * socket: show one sponsor now (optionally for N seconds), schedule one for a time, rotate
 * through several every N seconds, or hide it. Attendees of the session watch it; each
 * change is pushed as `sponsors.overlay` to the session's topic, and every sponsor shown
 * counts one "overlay" impression per watcher.
 *
 * The host's last command and its time are kept in `sponsor_overlays`, and what is on screen
 * follows from them (overlay-timeline.ts), so a restarted server resumes every overlay where
 * the clock says it is, and people who rejoin see it again.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { connectionActor } from "../accounts/realtime-gate.ts";
import { can } from "../accounts/policy.ts";
import { sessionStanding } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { commandSponsorIds, hiddenOverlay, type OverlayCommand, overlayAt, overlayCommand, type OverlayState } from "./overlay-timeline.ts";
import { countSponsor, type PublicSponsor } from "./queries.ts";

export type { OverlayState, OverlayStyle } from "./overlay-timeline.ts";

const topic = (sessionId: string) => `sponsor-overlay:${sessionId}`;
const controlSchema = z.strictObject({ sessionId: z.uuid(), command: overlayCommand });

type Slot = { command: OverlayCommand; sponsors: PublicSponsor[]; startedAt: number; state: OverlayState; nextAt: number | null; timer?: NodeJS.Timeout };

export class SponsorOverlays {
  readonly #db: Kysely<DB>;
  readonly #fanout: Fanout;
  readonly #log: Logger;
  // Live overlay per session.
  readonly #slots = new Map<string, Slot>();
  // Settles once the overlays saved before a restart are running again.
  readonly #resumed: Promise<void>;
  // Closed flag: no timers after close().
  #closed = false;

  constructor(db: Kysely<DB>, fanout: Fanout, log: Logger) {
    this.#db = db;
    this.#fanout = fanout;
    this.#log = log;
    this.#resumed = this.#resume().catch((err: unknown) => log.error({ err }, "could not resume the sponsor overlays"));
  }

  async state(sessionId: string): Promise<OverlayState> {
    await this.#resumed;
    return this.#slots.get(sessionId)?.state ?? hiddenOverlay(sessionId);
  }

  async control(sessionId: string, command: OverlayCommand, userId: string): Promise<OverlayState> {
    await this.#resumed;
    const eventId = (await this.#db.selectFrom("event_sessions").select("event_id").where("id", "=", sessionId).executeTakeFirstOrThrow()).event_id;
    const ids = commandSponsorIds(command);
    const sponsors = await this.#sponsors(eventId, ids);
    if (sponsors.length !== ids.length) throw AppError.notFound("No such sponsor in this event");
    const startedAt = Date.now();
    if (command.mode === "hide") {
      await this.#db.deleteFrom("sponsor_overlays").where("session_id", "=", sessionId).execute();
    } else {
      const row = { command: JSON.stringify(command), started_at: new Date(startedAt).toISOString(), updated_by: userId };
      await this.#db
        .insertInto("sponsor_overlays")
        .values({ session_id: sessionId, ...row })
        .onConflict((oc) => oc.column("session_id").doUpdateSet(row))
        .execute();
    }
    this.#clear(sessionId);
    return this.#advance(sessionId, { command, sponsors, startedAt, state: hiddenOverlay(sessionId), nextAt: null }, startedAt);
  }

  close(): void {
    this.#closed = true;
    for (const sessionId of [...this.#slots.keys()]) this.#clear(sessionId);
  }

  /** Restarts the overlays saved before the process stopped; drops those that have ended or lost their sponsors. */
  async #resume(): Promise<void> {
    const rows = await this.#db
      .selectFrom("sponsor_overlays as o")
      .innerJoin("event_sessions as s", "s.id", "o.session_id")
      .select(["o.session_id", "o.command", "o.started_at", "s.event_id"])
      .execute();
    for (const row of rows) {
      const parsed = overlayCommand.safeParse(JSON.parse(row.command));
      const sponsors = parsed.success ? await this.#sponsors(row.event_id, commandSponsorIds(parsed.data)) : [];
      if (!parsed.success || sponsors.length === 0 || this.#closed || this.#slots.has(row.session_id)) {
        if (!this.#slots.has(row.session_id)) await this.#db.deleteFrom("sponsor_overlays").where("session_id", "=", row.session_id).execute();
        continue;
      }
      const startedAt = new Date(row.started_at).getTime();
      this.#advance(row.session_id, { command: parsed.data, sponsors, startedAt, state: hiddenOverlay(row.session_id), nextAt: null }, Date.now());
    }
    if (rows.length > 0) this.#log.info({ overlays: this.#slots.size }, "sponsor overlays resumed");
  }

  /** Puts the slot's state at `now` on screen and waits for its next change. */
  #advance(sessionId: string, slot: Slot, now: number): OverlayState {
    const { state, nextAt, finished } = overlayAt(sessionId, slot.command, slot.sponsors, slot.startedAt, now);
    slot.state = state;
    slot.nextAt = nextAt;
    this.#publish(state);
    if (finished) {
      this.#slots.delete(sessionId);
      // Counting and cleaning up must not hold up the push.
      void this.#db.deleteFrom("sponsor_overlays").where("session_id", "=", sessionId).where("started_at", "=", new Date(slot.startedAt).toISOString()).execute().catch(() => undefined);
      return state;
    }
    this.#slots.set(sessionId, slot);
    if (nextAt !== null && !this.#closed) {
      // A timer may fire a little early by the wall clock: compute at the change, never before it.
      slot.timer = setTimeout(() => this.#advance(sessionId, slot, Math.max(Date.now(), nextAt)), Math.max(0, nextAt - now)).unref();
    }
    return state;
  }

  async #sponsors(eventId: string, ids: string[]): Promise<PublicSponsor[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.selectFrom("sponsors").selectAll().where("id", "in", ids).where("event_id", "=", eventId).execute();
    return ids.flatMap((id) => {
      const s = rows.find((r) => r.id === id);
      return s ? [{ id: s.id, name: s.name, description: s.description, logoUrl: s.logo_url, bannerUrl: s.banner_url, link: s.link, tierId: s.tier_id }] : [];
    });
  }

  #clear(sessionId: string) {
    const slot = this.#slots.get(sessionId);
    if (!slot) return;
    clearTimeout(slot.timer);
    this.#slots.delete(sessionId);
  }

  #publish(state: OverlayState) {
    const watchers = this.#fanout.publish(topic(state.sessionId), { t: "sponsors.overlay", overlay: state });
    if (state.sponsor && watchers > 0) {
      // Counting must not hold up the push; a lost count is not worth failing a show.
      void countSponsor(this.#db, [state.sponsor.id], "overlay", "impressions", watchers).catch(() => undefined);
    }
  }
}

export function registerOverlayMessages(router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout; overlays: SponsorOverlays }): void {
  const { db, fanout, overlays } = deps;

  router.on("sponsors.overlay.watch", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "sponsors.overlay.watch",
    access: "user",
    async handle({ sessionId }, { connection }) {
      const user = connection.user;
      if (!user) throw AppError.unauthorized();
      const standing = await sessionStanding(db, connectionActor(user), user.id, sessionId);
      if (!standing.mayEnter) throw AppError.notFound("No such session, or your ticket does not include it");
      fanout.subscribe(connection, topic(sessionId));
      return { overlay: await overlays.state(sessionId) };
    },
  });

  router.on("sponsors.overlay.control", {
    schema: controlSchema,
    action: "sponsors.overlay.control",
    access: "user",
    async handle({ sessionId, command }, { connection }) {
      const user = connection.user;
      if (!user) throw AppError.unauthorized();
      const actor = connectionActor(user);
      const standing = await sessionStanding(db, actor, user.id, sessionId);
      if (!can(actor, "sponsors.overlay.control", standing.resource)) {
        if (!standing.mayEnter) throw AppError.notFound("No such session");
        throw AppError.forbidden("forbidden", "Only the session's hosts control the sponsor overlay");
      }
      return { overlay: await overlays.control(sessionId, command, user.id) };
    },
  });
}
