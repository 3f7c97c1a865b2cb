/**
 * The sponsor overlay of a live session: a banner or lower third over the stage that the
 * session's hosts (the event's owners, co-hosts and moderators) control over the realtime
 * socket: show one sponsor now (optionally for N seconds), schedule one for a time, rotate
 * through several every N seconds, or hide it. Attendees of the session watch it; each
 * change is pushed as `sponsors.overlay` to the session's topic, and every sponsor shown
 * counts one "overlay" impression per watcher.
 *
 * The state lives in this process (like the live room itself): a restart clears it, and
 * hosts show the overlay again.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import { connectionActor } from "../accounts/realtime-gate.ts";
import { can } from "../accounts/policy.ts";
import { sessionStanding } from "../chat/access.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";
import { countSponsor, type PublicSponsor } from "./queries.ts";

export type OverlayStyle = "banner" | "lower_third";
export type OverlayState = {
  sessionId: string;
  sponsor: PublicSponsor | null;
  style: OverlayStyle;
  mode: "hidden" | "showing" | "scheduled" | "rotating";
  /** When a scheduled sponsor appears, or a timed one goes. */
  until: string | null;
  scheduledAt: string | null;
  everySeconds: number | null;
};

const topic = (sessionId: string) => `sponsor-overlay:${sessionId}`;
const style = z.enum(["banner", "lower_third"]).default("lower_third");
const controlSchema = z.strictObject({
  sessionId: z.uuid(),
  command: z.discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("show"), sponsorId: z.uuid(), style, durationSeconds: z.number().int().min(3).max(3600).optional() }),
    z.strictObject({ mode: z.literal("schedule"), sponsorId: z.uuid(), style, at: z.iso.datetime({ offset: true }), durationSeconds: z.number().int().min(3).max(3600).optional() }),
    z.strictObject({ mode: z.literal("rotate"), sponsorIds: z.array(z.uuid()).min(1).max(50), style, everySeconds: z.number().int().min(3).max(3600) }),
    z.strictObject({ mode: z.literal("hide") }),
  ]),
});

type Slot = { state: OverlayState; timers: NodeJS.Timeout[] };

export class SponsorOverlays {
  readonly #db: Kysely<DB>;
  readonly #fanout: Fanout;
  // Live overlay per session.
  readonly #slots = new Map<string, Slot>();

  constructor(db: Kysely<DB>, fanout: Fanout) {
    this.#db = db;
    this.#fanout = fanout;
  }

  state(sessionId: string): OverlayState {
    return this.#slots.get(sessionId)?.state ?? hidden(sessionId);
  }

  async control(sessionId: string, command: z.infer<typeof controlSchema>["command"]): Promise<OverlayState> {
    const eventId = (await this.#db.selectFrom("event_sessions").select("event_id").where("id", "=", sessionId).executeTakeFirstOrThrow()).event_id;
    const ids = command.mode === "rotate" ? command.sponsorIds : command.mode === "hide" ? [] : [command.sponsorId];
    const rows = ids.length ? await this.#db.selectFrom("sponsors").selectAll().where("id", "in", ids).where("event_id", "=", eventId).execute() : [];
    const sponsors = ids.map((id) => rows.find((r) => r.id === id));
    if (sponsors.some((s) => !s)) throw AppError.notFound("No such sponsor in this event");
    const views = sponsors.map((s) => ({ id: s!.id, name: s!.name, description: s!.description, logoUrl: s!.logo_url, bannerUrl: s!.banner_url, link: s!.link, tierId: s!.tier_id }));
    this.#clear(sessionId);
    const slot: Slot = { state: hidden(sessionId), timers: [] };
    this.#slots.set(sessionId, slot);
    const show = (sponsor: PublicSponsor, patch: Partial<OverlayState>) => {
      slot.state = { ...hidden(sessionId), sponsor, style: command.mode === "hide" ? "lower_third" : command.style, mode: "showing", ...patch };
      this.#publish(slot.state);
    };
    const hideAfter = (seconds: number | undefined) => {
      if (!seconds) return;
      slot.timers.push(setTimeout(() => this.#publish((slot.state = hidden(sessionId))), seconds * 1000).unref());
    };
    switch (command.mode) {
      case "show":
        show(views[0]!, { until: command.durationSeconds ? new Date(Date.now() + command.durationSeconds * 1000).toISOString() : null });
        hideAfter(command.durationSeconds);
        break;
      case "schedule": {
        const delay = Math.max(0, new Date(command.at).getTime() - Date.now());
        slot.state = { ...hidden(sessionId), style: command.style, mode: "scheduled", scheduledAt: new Date(command.at).toISOString() };
        this.#publish(slot.state);
        slot.timers.push(
          setTimeout(() => {
            show(views[0]!, {});
            hideAfter(command.durationSeconds);
          }, delay).unref(),
        );
        break;
      }
      case "rotate": {
        let index = 0;
        show(views[0]!, { mode: "rotating", everySeconds: command.everySeconds });
        slot.timers.push(
          setInterval(() => {
            index = (index + 1) % views.length;
            show(views[index]!, { mode: "rotating", everySeconds: command.everySeconds });
          }, command.everySeconds * 1000).unref(),
        );
        break;
      }
      case "hide":
        this.#publish(slot.state);
        break;
    }
    return slot.state;
  }

  close(): void {
    for (const sessionId of this.#slots.keys()) this.#clear(sessionId);
  }

  #clear(sessionId: string) {
    const slot = this.#slots.get(sessionId);
    if (!slot) return;
    for (const timer of slot.timers) clearTimeout(timer);
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

function hidden(sessionId: string): OverlayState {
  return { sessionId, sponsor: null, style: "lower_third", mode: "hidden", until: null, scheduledAt: null, everySeconds: null };
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
      return { overlay: overlays.state(sessionId) };
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
      return { overlay: await overlays.control(sessionId, command) };
    },
  });
}
