/**
 * Tells a person something: a row in their in-app inbox (pushed live to their open tabs)
 * and an e-mail through the outbox, each as their preferences allow. A dedupe key makes a
 * notification happen once, whoever asks again (a retried job, a restart mid-way). Mail that
 * is not transactional carries an unsubscribe link that works without logging in.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import { getSetting } from "../settings.ts";

/** The kinds a user sets preferences for (server/accounts/account-routes.ts lists the same). */
export const NOTIFICATION_KINDS = ["event_reminder", "event_update", "ticket", "chat_mention", "qa_answer", "announcement"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
// Mail about money and tickets must reach people; the rest can be turned off from the mail.
const TRANSACTIONAL = new Set<NotificationKind>(["ticket"]);
const SECRET_KEY = "notifications.unsubscribe_secret";

export type NotifyInput = {
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** A path in the app, e.g. `/events/<slug>`; the e-mail makes it absolute. */
  link?: string;
  linkLabel?: string;
  eventId?: string;
  /** The event's name brands the e-mail. */
  brand?: string;
  dedupeKey?: string;
  /** Default true: also send an e-mail when the user's preferences allow. */
  email?: boolean;
};

export type Notification = { id: string; kind: string; title: string; body: string; link: string | null; createdAt: string; readAt: string | null };

export const userTopic = (userId: string) => `user:${userId}`;

export type NotifierOptions = { db: Kysely<DB>; mailer: Mailer; fanout: Fanout; log: Logger; config: Config; fallbackUrl: () => string };

export class Notifier {
  readonly #o: NotifierOptions;
  // The HMAC key of unsubscribe links, read (or made) once.
  #secret: Promise<Buffer> | undefined;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** The base of links in e-mails: the configured public URL, else the first-run one, else the listen address. */
  async publicUrl(): Promise<string> {
    const url = this.#o.config.http.public_url ?? (await getSetting(this.#o.db, "public_url")) ?? this.#o.fallbackUrl();
    return url.replace(/\/+$/, "");
  }

  /** Pushes this user's new notifications to the connection. */
  subscribe(connection: RealtimeConnection): void {
    if (connection.user) this.#o.fanout.subscribe(connection, userTopic(connection.user.id));
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await this.#o.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("user_id", "=", userId)
      .where("in_app", "=", 1)
      .where("read_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Returns false when the dedupe key says it already happened or the user is gone. */
  async notify(input: NotifyInput): Promise<boolean> {
    const { db, fanout, mailer, log } = this.#o;
    const user = await db.selectFrom("users").select(["email", "display_name", "notification_prefs"]).where("id", "=", input.userId).executeTakeFirst();
    if (!user) return false;
    const prefs = (JSON.parse(user.notification_prefs) as Record<string, { email?: boolean; in_app?: boolean }>)[input.kind] ?? {};
    const notification: Notification = {
      id: randomUUID(), kind: input.kind, title: input.title, body: input.body, link: input.link ?? null,
      createdAt: new Date().toISOString(), readAt: null,
    };
    const inApp = prefs.in_app !== false;
    const inserted = await db
      .insertInto("notifications")
      .values({
        id: notification.id, user_id: input.userId, kind: input.kind, title: input.title, body: input.body, link: notification.link,
        event_id: input.eventId ?? null, dedupe_key: input.dedupeKey ?? null, in_app: inApp ? 1 : 0, created_at: notification.createdAt,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) return false;
    if (inApp) fanout.publish(userTopic(input.userId), { t: "notify.new", notification, unread: await this.unreadCount(input.userId) });
    if (input.email !== false && prefs.email !== false) {
      const base = await this.publicUrl();
      await mailer.send(user.email, "notification", {
        displayName: user.display_name,
        brand: input.brand ?? "Plenary",
        subject: input.title,
        paragraphs: input.body.split(/\n{2,}/),
        ...(input.link ? { link: { href: base + input.link, label: input.linkLabel ?? "Open in Plenary" } } : {}),
        ...(TRANSACTIONAL.has(input.kind) ? {} : { unsubscribe: `${base}/unsubscribe?token=${await this.unsubscribeToken(input.userId, input.kind)}` }),
      });
      log.debug({ kind: input.kind, userId: input.userId }, "notification e-mailed");
    }
    return true;
  }

  /** E-mail to a ticket holder who has no account: no inbox and no preferences to consult. */
  async emailGuest(to: { email: string; name: string }, input: Pick<NotifyInput, "title" | "body" | "link" | "linkLabel" | "brand">): Promise<void> {
    const base = await this.publicUrl();
    await this.#o.mailer.send(to.email, "notification", {
      displayName: to.name,
      brand: input.brand ?? "Plenary",
      subject: input.title,
      paragraphs: input.body.split(/\n{2,}/),
      ...(input.link ? { link: { href: base + input.link, label: input.linkLabel ?? "Open in Plenary" } } : {}),
    });
  }

  async unsubscribeToken(userId: string, kind: NotificationKind): Promise<string> {
    const payload = Buffer.from(`${userId}.${kind}`).toString("base64url");
    return `${payload}.${await this.#sign(payload)}`;
  }

  /** The user and kind a token unsubscribes, or null when it was not made here. */
  async readUnsubscribeToken(token: string): Promise<{ userId: string; kind: NotificationKind } | null> {
    const [payload, signature] = token.split(".");
    if (!payload || !signature) return null;
    const expected = Buffer.from(await this.#sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const [userId, kind] = Buffer.from(payload, "base64url").toString().split(".");
    if (!userId || !(NOTIFICATION_KINDS as readonly string[]).includes(kind)) return null;
    return { userId, kind: kind as NotificationKind };
  }

  async #sign(payload: string): Promise<string> {
    const secret = await (this.#secret ??= this.#loadSecret());
    return createHmac("sha256", secret).update(payload).digest("base64url");
  }

  async #loadSecret(): Promise<Buffer> {
    const { db } = this.#o;
    const fresh = randomBytes(32).toString("base64url");
    await db
      .insertInto("settings")
      .values({ key: SECRET_KEY, value: JSON.stringify(fresh), updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    const row = await db.selectFrom("settings").select("value").where("key", "=", SECRET_KEY).executeTakeFirstOrThrow();
    return Buffer.from(JSON.parse(row.value) as string, "base64url");
  }
}
