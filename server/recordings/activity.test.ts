/**
 * The Q&A and poll log of a recording, fed by the real fan-out as the polls and Q&A
 * modules publish (directly and in coalesced batches): each change noted once, with the
 * attendee-visible moment of a held question, and nothing after the log is closed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Fanout } from "../realtime/fanout.ts";
import { SessionActivity } from "./activity.ts";

const SESSION = "6f1c8f1e-2d4b-4a55-9a3e-0d6f4f2b9c11";
const fanouts: Fanout[] = [];
afterEach(() => fanouts.splice(0).forEach((f) => f.close()));

const poll = (status: string, votes: number | null = null) => ({
  id: "poll-1", sessionId: SESSION, question: "Tabs or spaces?", status,
  options: [{ id: "a", text: "Tabs", votes }, { id: "b", text: "Spaces", votes: votes === null ? null : votes + 2 }],
});
const question = (status: string, pinned = false, answer: string | null = null) => ({
  id: "q-1", sessionId: SESSION, text: "Will it be recorded?", status, pinned, answer, author: { id: "u", name: "Ada" },
});

describe("SessionActivity", () => {
  it("notes poll and question changes once each, from direct and batched pushes", () => {
    const fanout = new Fanout({ directSendsPerInterval: 1 });
    fanouts.push(fanout);
    const log = new SessionActivity(fanout, SESSION);
    const publish = (topic: string, frame: { t: string; [k: string]: unknown }) => fanout.publish(`${topic}:${SESSION}:hosts`, frame);
    publish("polls", { t: "poll.updated", poll: poll("draft") });
    publish("polls", { t: "poll.updated", poll: poll("open", 0) });
    publish("polls", { t: "poll.updated", poll: poll("open", 1) });
    publish("qa", { t: "qa.updated", question: question("pending") });
    publish("qa", { t: "qa.updated", question: question("open") });
    publish("qa", { t: "qa.updated", question: question("open", true) });
    publish("qa", { t: "qa.updated", question: question("answered", false, "Yes") });
    publish("polls", { t: "poll.updated", poll: poll("closed", 3) });
    // Past the direct budget the fan-out batches frames for its next flush.
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(log.log.activity.map((a) => a.kind)).toEqual(["poll.opened", "question.asked", "question.pinned", "question.answered", "poll.closed"]);
        expect(log.log.activity.at(-1)).toMatchObject({ results: [{ text: "Tabs", votes: 3 }, { text: "Spaces", votes: 5 }] });
        expect(log.log.activity[1]).toMatchObject({ author: "Ada", text: "Will it be recorded?" });
        expect(log.log.activity[3]).toMatchObject({ answer: "Yes" });
        log.mark("Demo");
        expect(log.log.markers.map((m) => m.label)).toEqual(["Demo"]);
        log.close();
        publish("polls", { t: "poll.updated", poll: { ...poll("open"), id: "poll-2" } });
        setTimeout(() => {
          expect(log.log.activity).toHaveLength(5);
          resolve();
        }, 250);
      }, 250),
    );
  });
});
