import { expect, it } from "vitest";
import { type OverlayCommand, overlayAt } from "./overlay-timeline.ts";
import type { PublicSponsor } from "./queries.ts";

const sponsor = (id: string): PublicSponsor => ({ id, name: id, description: "", logoUrl: "", bannerUrl: "", link: "", tierId: null });
const [acme, globex, initech] = [sponsor("acme"), sponsor("globex"), sponsor("initech")];
const T0 = Date.parse("2026-06-01T10:00:00.000Z");
const at = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();

it("shows a timed sponsor until its end, then hides it for good", () => {
  const command: OverlayCommand = { mode: "show", sponsorId: "acme", style: "banner", durationSeconds: 30 };
  expect(overlayAt("s", command, [acme], T0, at(29))).toEqual({
    state: { sessionId: "s", sponsor: acme, style: "banner", mode: "showing", until: iso(30), scheduledAt: null, everySeconds: null },
    nextAt: at(30),
    finished: false,
  });
  expect(overlayAt("s", command, [acme], T0, at(30))).toMatchObject({ state: { mode: "hidden", sponsor: null }, nextAt: null, finished: true });
  // Without a duration it stays, with nothing left to wait for.
  expect(overlayAt("s", { ...command, durationSeconds: undefined }, [acme], T0, at(86_400))).toMatchObject({ state: { mode: "showing", until: null }, nextAt: null, finished: false });
});

it("waits for a scheduled sponsor, shows it at its time, and ends it after its duration", () => {
  const command: OverlayCommand = { mode: "schedule", sponsorId: "globex", style: "lower_third", at: iso(60), durationSeconds: 10 };
  expect(overlayAt("s", command, [globex], T0, at(59))).toMatchObject({ state: { mode: "scheduled", sponsor: null, scheduledAt: iso(60) }, nextAt: at(60) });
  expect(overlayAt("s", command, [globex], T0, at(60))).toMatchObject({ state: { mode: "showing", sponsor: globex, until: iso(70) }, nextAt: at(70) });
  expect(overlayAt("s", command, [globex], T0, at(75))).toMatchObject({ state: { mode: "hidden" }, finished: true });
});

it("rotates by the clock from the command's time, whatever the delays of timers", () => {
  const command: OverlayCommand = { mode: "rotate", sponsorIds: ["acme", "globex", "initech"], style: "lower_third", everySeconds: 10 };
  const turn = (seconds: number) => overlayAt("s", command, [acme, globex, initech], T0, at(seconds));
  expect(turn(0)).toMatchObject({ state: { mode: "rotating", sponsor: acme, everySeconds: 10 }, nextAt: at(10), finished: false });
  expect(turn(10).state.sponsor).toEqual(globex);
  expect(turn(29.9)).toMatchObject({ state: { sponsor: initech }, nextAt: at(30) });
  // An hour later (a restart in between): turn 360 is the first sponsor again.
  expect(turn(3600)).toMatchObject({ state: { sponsor: acme }, nextAt: at(3610) });
});

it("hides at once on hide", () => {
  expect(overlayAt("s", { mode: "hide" }, [], T0, T0)).toMatchObject({ state: { mode: "hidden", sponsor: null }, finished: true });
});
