/**
 * What a sponsor overlay shows at a given moment, from the host's last command and when it was
 * given: a timed show has ended or not, a scheduled one has appeared or not, a rotation is on
 * its n-th turn. Being a function of (command, start, now), the overlay resumes after a
 * restart exactly where the clock says it is, and rotation does not drift with timer delays.
 */
import { z } from "zod";
import type { PublicSponsor } from "./queries.ts";

export type OverlayStyle = "banner" | "lower_third";
export type OverlayState = {
  sessionId: string;
  sponsor: PublicSponsor | null;
  style: OverlayStyle;
  mode: "hidden" | "showing" | "scheduled" | "rotating";
  /** When a timed sponsor goes. */
  until: string | null;
  /** When a scheduled sponsor appears. */
  scheduledAt: string | null;
  everySeconds: number | null;
};

const style = z.enum(["banner", "lower_third"]).default("lower_third");
const duration = z.number().int().min(3).max(3600);
export const overlayCommand = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("show"), sponsorId: z.uuid(), style, durationSeconds: duration.optional() }),
  z.strictObject({ mode: z.literal("schedule"), sponsorId: z.uuid(), style, at: z.iso.datetime({ offset: true }), durationSeconds: duration.optional() }),
  z.strictObject({ mode: z.literal("rotate"), sponsorIds: z.array(z.uuid()).min(1).max(50), style, everySeconds: duration }),
  z.strictObject({ mode: z.literal("hide") }),
]);
export type OverlayCommand = z.infer<typeof overlayCommand>;

export function hiddenOverlay(sessionId: string): OverlayState {
  return { sessionId, sponsor: null, style: "lower_third", mode: "hidden", until: null, scheduledAt: null, everySeconds: null };
}

/** The sponsors a command names, in its order. */
export function commandSponsorIds(command: OverlayCommand): string[] {
  if (command.mode === "rotate") return command.sponsorIds;
  return command.mode === "hide" ? [] : [command.sponsorId];
}

/**
 * The overlay at `now` (ms) for a command given at `startedAt` (ms), with its sponsors in the
 * command's order, and when it next changes (null: never by itself). `finished` says the
 * command has nothing more to show (hidden for good).
 */
export function overlayAt(
  sessionId: string,
  command: OverlayCommand,
  sponsors: PublicSponsor[],
  startedAt: number,
  now: number,
): { state: OverlayState; nextAt: number | null; finished: boolean } {
  const hidden = hiddenOverlay(sessionId);
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (command.mode) {
    case "hide":
      return { state: hidden, nextAt: null, finished: true };
    case "show":
    case "schedule": {
      const showsAt = command.mode === "schedule" ? new Date(command.at).getTime() : startedAt;
      const endsAt = command.durationSeconds ? showsAt + command.durationSeconds * 1000 : null;
      if (now < showsAt) return { state: { ...hidden, style: command.style, mode: "scheduled", scheduledAt: iso(showsAt) }, nextAt: showsAt, finished: false };
      if (endsAt !== null && now >= endsAt) return { state: hidden, nextAt: null, finished: true };
      return { state: { ...hidden, sponsor: sponsors[0]!, style: command.style, mode: "showing", until: endsAt === null ? null : iso(endsAt) }, nextAt: endsAt, finished: false };
    }
    case "rotate": {
      const every = command.everySeconds * 1000;
      const turn = Math.max(0, Math.floor((now - startedAt) / every));
      return {
        state: { ...hidden, sponsor: sponsors[turn % sponsors.length]!, style: command.style, mode: "rotating", everySeconds: command.everySeconds },
        nextAt: startedAt + (turn + 1) * every,
        finished: false,
      };
    }
  }
}
