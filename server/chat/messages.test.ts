/**
 * What `chat.join` and `chat.send` cost in SQLite queries, counted through kysely's `log` on a
 * real database file: every message re-checks the caller's right to the channel, so that check
 * is one query, not one per table (issue 7: thousands of clients rejoining at once after a
 * restart). The check is not cached: a refund or a team change takes effect on the very next
 * message.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as seed from "../../test/support/seed.ts";
import { migrateToLatest } from "../db/migrate.ts";
import type { DB } from "../db/schema.ts";
import { openSqlite } from "../db/sqlite.ts";
import type { Notifier } from "../notifications/Notifier.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import { Fanout } from "../realtime/fanout.ts";
import { MessageRouter } from "../realtime/router.ts";
import { ChatRooms } from "./ChatRooms.ts";
import { registerChatMessages } from "./messages.ts";

const dir = mkdtempSync(path.join(tmpdir(), "plenary-chat-queries-"));
const file = path.join(dir, "chat.sqlite");
const fanout = new Fanout();
const router = new MessageRouter();
// Every query the chat handlers ran since the last reset.
const queries: { sql: string; parameters: readonly unknown[] }[] = [];
let db: Kysely<DB>;
let counted: Kysely<DB>;
let sqlite: SQLite.Database;
let rooms: ChatRooms;
const ids = { owner: "", ann: "", ben: "", cat: "", eventId: "", sessionId: "", annTicket: "" };

beforeAll(async () => {
  db = openSqlite({ file });
  await migrateToLatest(db as Kysely<unknown>);
  counted = new Kysely<DB>({
    dialect: new SqliteDialect({ database: (sqlite = new SQLite(file)) }),
    log: (event) => {
      if (event.level === "query") queries.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  rooms = new ChatRooms(counted, fanout);
  registerChatMessages(router, { db: counted, rooms, notifier: {} as Notifier });

  for (const name of ["owner", "ann", "ben", "cat"] as const) ids[name] = await seed.user(db, { email: `${name}@example.org`, name });
  const organization = await seed.write(db, seed.organization({ ownerId: ids.owner }));
  ids.eventId = (await seed.write(db, seed.event({ organizationId: organization.id, ownerId: ids.owner }))).id;
  ids.sessionId = await seed.write(db, seed.session({ eventId: ids.eventId, title: "Keynote" }));
  await seed.write(db, seed.teamMember({ eventId: ids.eventId, userId: ids.cat, role: "moderator", addedBy: ids.owner }));
  const ticketType = await seed.write(db, seed.ticketType({ eventId: ids.eventId, name: "General" }));
  for (const name of ["ann", "ben"] as const) {
    const order = await seed.write(db, seed.order({
      eventId: ids.eventId, userId: ids[name], buyerName: name, buyerEmail: `${name}@example.org`,
      seats: [{ ticketTypeId: ticketType.id, holderName: name, holderEmail: `${name}@example.org` }],
    }));
    if (name === "ann") ids.annTicket = order.tickets[0].id;
  }
});
afterAll(async () => {
  fanout.close();
  await counted.destroy();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function connectionOf(userId: string): RealtimeConnection {
  return {
    id: `connection-${userId}`,
    user: { id: userId, role: "user", sessionId: null },
    address: "",
    send: () => undefined,
    sendText: () => undefined,
    close: () => undefined,
    actFor: () => undefined,
    closed: new Promise(() => undefined),
    bufferedBytes: 0,
  };
}

/** Runs a chat message's handler as the hub does after validating it; returns its result and the queries it ran. */
async function run(type: string, payload: unknown, userId: string): Promise<{ result: any; queries: string[]; plans: string[] }> {
  const definition = router.get(type)!;
  const parsed = definition.schema.parse(payload);
  queries.length = 0;
  const result = await definition.handle(parsed, { connection: connectionOf(userId), requestId: "test" });
  const plans = queries.map((q) => sqlite.prepare(`explain query plan ${q.sql}`).all(...q.parameters).map((row: any) => row.detail).join("\n"));
  return { result, queries: queries.map((q) => q.sql), plans };
}

describe("queries per chat message", () => {
  it("chat.join reads the caller's standing once, then the history, its reactions and the channel's settings", async () => {
    const channel = `session:${ids.sessionId}`;
    // Warms the block cache, as a user's first join does once.
    await run("chat.join", { channel }, ids.ann);
    await run("chat.send", { channel, text: "hello" }, ids.ben);
    const { result, queries } = await run("chat.join", { channel }, ids.ann);
    expect(result.messages.map((m: { text: string }) => m.text)).toEqual(["hello"]);
    // Standing, history, reactions of the page, settings.
    expect(queries).toHaveLength(4);
    expect(queries.filter((sql) => /from "events"/.test(sql))).toHaveLength(1);
  });

  it("chat.send checks the sender's standing, chat settings and mute in two queries, then stores the message in one", async () => {
    const channel = `session:${ids.sessionId}`;
    await run("chat.join", { channel }, ids.ben);
    const { result, queries } = await run("chat.send", { channel, text: "a question" }, ids.ben);
    expect(result.message).toMatchObject({ text: "a question", author: { id: ids.ben, name: "ben" }, reactions: {}, replyTo: null, deleted: false });
    expect(queries).toHaveLength(3);
  });

  it("reads the lobby's and backstage's standing in one query too", async () => {
    expect((await run("chat.join", { channel: `event:${ids.eventId}` }, ids.ann)).queries.filter((sql) => /"events"/.test(sql))).toHaveLength(1);
    const { queries } = await run("chat.join", { channel: `backstage:${ids.eventId}` }, ids.owner);
    expect(queries.filter((sql) => /"events"/.test(sql))).toHaveLength(1);
  });

  it("opens a private conversation with one more query, for the other person's part in the event", async () => {
    const channel = `dm:${ids.eventId}:${[ids.ann, ids.ben].sort().join(":")}`;
    const { queries } = await run("chat.join", { channel }, ids.ben);
    expect(queries.filter((sql) => /"events"/.test(sql))).toHaveLength(2);
  });

  it("looks the caller's tickets up by their account, not by walking every ticket of the event", async () => {
    const { plans } = await run("chat.join", { channel: `session:${ids.sessionId}` }, ids.ann);
    expect(plans[0]).toMatch(/SEARCH tickets USING INDEX tickets_user/);
    expect(plans[0]).not.toMatch(/tickets_event/);
  });

  it("caches nothing: a refunded ticket stops the next message", async () => {
    const channel = `session:${ids.sessionId}`;
    await run("chat.send", { channel, text: "before the refund" }, ids.ann);
    await db.updateTable("tickets").set({ status: "refunded" }).where("id", "=", ids.annTicket).execute();
    await expect(run("chat.send", { channel, text: "after the refund" }, ids.ann)).rejects.toMatchObject({ status: 404 });
  });

  it("caches nothing: someone taken off the team cannot write backstage on their next message", async () => {
    const channel = `backstage:${ids.eventId}`;
    await run("chat.send", { channel, text: "on the team" }, ids.cat);
    await db.deleteFrom("event_team").where("event_id", "=", ids.eventId).where("user_id", "=", ids.cat).execute();
    await expect(run("chat.send", { channel, text: "off the team" }, ids.cat)).rejects.toMatchObject({ status: 404 });
  });
});
