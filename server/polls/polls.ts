/**
 * Polls in a session: hosts (the event's moderators) create single- or multiple-choice
 * polls, open and close them; attendees vote once (changeable until close when the poll
 * allows it). Results go live to everyone or only to hosts. Vote counts are pushed at most
 * every 200 ms per poll, so a room voting at once costs a few frames, not thousands.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Actor } from "../accounts/actor.ts";
import { actorUserId } from "../accounts/actor.ts";
import { requireSession, requireSessionFor } from "../chat/access.ts";
import { coalescePerKey } from "../chat/later.ts";
import type { Poll } from "../chat/wire.ts";
import type { DB } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { parseBody } from "../http/validate.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import type { MessageRouter } from "../realtime/router.ts";

export type { Poll } from "../chat/wire.ts";

const topic = (sessionId: string, hosts: boolean) => `polls:${sessionId}:${hosts ? "hosts" : "all"}`;

async function loadPoll(db: Kysely<DB>, pollId: string) {
  const row = await db.selectFrom("polls").selectAll().where("id", "=", pollId).executeTakeFirst();
  if (!row) throw AppError.notFound("No such poll");
  return row;
}

/** The poll as a host (with results) or an attendee (results only when shown to all) sees it. */
export async function pollView(db: Kysely<DB>, pollId: string, asHost: boolean): Promise<Poll> {
  const row = await loadPoll(db, pollId);
  const options = await db.selectFrom("poll_options").select(["id", "text"]).where("poll_id", "=", pollId).orderBy("position").execute();
  const showResults = asHost || row.results_visibility === "all";
  const counts = showResults
    ? await db.selectFrom("poll_votes").select((eb) => ["option_id", eb.fn.countAll<number>().as("count")]).where("poll_id", "=", pollId).groupBy("option_id").execute()
    : [];
  const voters = showResults
    ? await db.selectFrom("poll_votes").select((eb) => eb.fn.count<number>("user_id").distinct().as("count")).where("poll_id", "=", pollId).executeTakeFirstOrThrow()
    : null;
  return {
    id: row.id, sessionId: row.session_id, question: row.question, multiple: row.multiple === 1, anonymous: row.anonymous === 1,
    allowChange: row.allow_change === 1, resultsVisibility: row.results_visibility, status: row.status,
    options: options.map((o) => ({ id: o.id, text: o.text, votes: showResults ? Number(counts.find((c) => c.option_id === o.id)?.count ?? 0) : null })),
    voters: voters ? Number(voters.count) : null,
  };
}

export function registerPolls(app: FastifyInstance, router: MessageRouter, deps: { db: Kysely<DB>; fanout: Fanout }): void {
  const { db, fanout } = deps;

  const standing = (connection: RealtimeConnection, sessionId: string) => requireSessionFor(db, connection, sessionId);
  const host = async (connection: RealtimeConnection, sessionId: string) => {
    const s = await standing(connection, sessionId);
    if (!s.canModerate) throw AppError.forbidden("forbidden", "Only the session's hosts may manage polls");
    return s;
  };
  const publish = async (pollId: string) => {
    const hostView = await pollView(db, pollId, true);
    fanout.publish(topic(hostView.sessionId, true), { t: "poll.updated", poll: hostView });
    if (hostView.status !== "draft") fanout.publish(topic(hostView.sessionId, false), { t: "poll.updated", poll: await pollView(db, pollId, false) });
    return hostView;
  };
  const publishSoon = coalescePerKey(200, publish);

  router.on("poll.subscribe", {
    schema: z.strictObject({ sessionId: z.uuid() }),
    action: "poll.participate",
    access: "user",
    async handle({ sessionId }, { connection }) {
      const s = await standing(connection, sessionId);
      fanout.subscribe(connection, topic(sessionId, s.canModerate));
      let query = db.selectFrom("polls").select("id").where("session_id", "=", sessionId).orderBy("created_at");
      if (!s.canModerate) query = query.where("status", "!=", "draft");
      const polls = await Promise.all((await query.execute()).map((p) => pollView(db, p.id, s.canModerate)));
      const votes = await db.selectFrom("poll_votes").select(["poll_id", "option_id"]).where("user_id", "=", s.userId).where("poll_id", "in", polls.length ? polls.map((p) => p.id) : [""]).execute();
      const myVotes: Record<string, string[]> = {};
      for (const v of votes) (myVotes[v.poll_id] ??= []).push(v.option_id);
      return { polls, myVotes, isHost: s.canModerate };
    },
  });

  router.on("poll.create", {
    schema: z.strictObject({
      sessionId: z.uuid(),
      question: z.string().trim().min(1).max(300),
      options: z.array(z.string().trim().min(1).max(200)).min(2, "Give at least two options").max(20),
      multiple: z.boolean().default(false),
      anonymous: z.boolean().default(false),
      resultsVisibility: z.enum(["all", "hosts"]).default("all"),
      allowChange: z.boolean().default(true),
    }),
    action: "event.moderate",
    access: "user",
    async handle(input, { connection }) {
      const s = await host(connection, input.sessionId);
      const id = randomUUID();
      const now = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("polls").values({
          id, session_id: input.sessionId, question: input.question, multiple: input.multiple ? 1 : 0, anonymous: input.anonymous ? 1 : 0,
          allow_change: input.allowChange ? 1 : 0, results_visibility: input.resultsVisibility, status: "draft", created_by: s.userId,
          created_at: now, updated_at: now,
        }).execute();
        await trx.insertInto("poll_options").values(input.options.map((text, position) => ({ id: randomUUID(), poll_id: id, text, position }))).execute();
      });
      return { poll: await publish(id) };
    },
  });

  for (const [type, from, to] of [["poll.open", "draft", "open"], ["poll.close", "open", "closed"]] as const) {
    router.on(type, {
      schema: z.strictObject({ pollId: z.uuid() }),
      action: "event.moderate",
      access: "user",
      async handle({ pollId }, { connection }) {
        const poll = await loadPoll(db, pollId);
        await host(connection, poll.session_id);
        const changed = await db.updateTable("polls").set({ status: to, updated_at: new Date().toISOString() }).where("id", "=", pollId).where("status", "=", from).executeTakeFirst();
        if (changed.numUpdatedRows === 0n) throw AppError.conflict("poll_state", `The poll is ${poll.status}, so it cannot be ${to === "open" ? "opened" : "closed"}`);
        return { poll: await publish(pollId) };
      },
    });
  }

  router.on("poll.vote", {
    schema: z.strictObject({ pollId: z.uuid(), optionIds: z.array(z.uuid()).min(1).max(20) }),
    action: "poll.participate",
    access: "user",
    write: true,
    async handle(input, { connection }) {
      const poll = await loadPoll(db, input.pollId);
      const s = await standing(connection, poll.session_id);
      const optionIds = [...new Set(input.optionIds)];
      if (poll.multiple === 0 && optionIds.length > 1) throw AppError.badRequest("single_choice", "This poll takes one choice");
      await db.transaction().execute(async (trx) => {
        // Read the state inside the transaction, so a close and a vote cannot interleave.
        const current = await trx.selectFrom("polls").select("status").where("id", "=", poll.id).executeTakeFirstOrThrow();
        if (current.status !== "open") throw AppError.conflict("poll_not_open", "This poll is not open for votes");
        const valid = await trx.selectFrom("poll_options").select("id").where("poll_id", "=", poll.id).where("id", "in", optionIds).execute();
        if (valid.length !== optionIds.length) throw AppError.badRequest("bad_option", "That is not an option of this poll");
        const existing = await trx.selectFrom("poll_votes").select("option_id").where("poll_id", "=", poll.id).where("user_id", "=", s.userId).execute();
        if (existing.length > 0 && poll.allow_change === 0) throw AppError.conflict("already_voted", "You already voted in this poll");
        await trx.deleteFrom("poll_votes").where("poll_id", "=", poll.id).where("user_id", "=", s.userId).execute();
        const now = new Date().toISOString();
        await trx.insertInto("poll_votes").values(optionIds.map((option_id) => ({ poll_id: poll.id, user_id: s.userId, option_id, created_at: now }))).execute();
      });
      publishSoon(poll.id);
      return { optionIds };
    },
  });

  app.get("/api/polls/:pollId/results.csv", { config: { action: "event.moderate" } }, async (request, reply) => {
    const { pollId } = parseBody(z.object({ pollId: z.uuid("Not a valid id") }), request.params);
    const poll = await loadPoll(db, pollId);
    await requireHost(db, request.actor, poll.session_id);
    reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", `attachment; filename="poll-${pollId}.csv"`);
    return pollCsv(db, pollId);
  });
}

async function requireHost(db: Kysely<DB>, actor: Actor, sessionId: string) {
  const s = await requireSession(db, actor, actorUserId(actor)!, sessionId);
  if (!s.canModerate) throw AppError.forbidden("forbidden", "Only the session's hosts may export results");
}

/** Totals per option, then one row per vote (voters' names unless the poll is anonymous). */
export async function pollCsv(db: Kysely<DB>, pollId: string): Promise<string> {
  const poll = await pollView(db, pollId, true);
  const rows: string[][] = [["question", poll.question], ["option", "votes"], ...poll.options.map((o) => [o.text, String(o.votes ?? 0)])];
  if (!poll.anonymous) {
    const votes = await db
      .selectFrom("poll_votes as v")
      .innerJoin("users as u", "u.id", "v.user_id")
      .innerJoin("poll_options as o", "o.id", "v.option_id")
      .select(["u.display_name", "u.email", "o.text", "v.created_at"])
      .where("v.poll_id", "=", pollId)
      .orderBy("v.created_at")
      .execute();
    rows.push([], ["voter", "email", "option", "voted_at"], ...votes.map((v) => [v.display_name, v.email, v.text, v.created_at]));
  }
  return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
