/**
 * Tells a person something: a row in their in-app inbox (pushed live to their open tabs)
 * and an e-mail through the outbox, each as their preferences allow. A dedupe key makes a
 * notification happen once, whoever asks again (a retried job, a restart mid-way). Mail that
 * is not transactional carries an unsubscribe link that works without logging in.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { MailTemplates } from "../mail/templates.ts";
import type { RealtimeConnection } from "../realtime/connection.ts";
import type { Fanout } from "../realtime/fanout.ts";
import { publicBaseUrl } from "../http/public-url.ts";
import { getSetting, instanceSecret } from "../settings.ts";

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

/** Hooks that run inside the transaction that claims a notification or an e-mail. */
export type ClaimOptions = {
  /** Re-checks (or claims) what the message rests on; false: roll back and send nothing. */
  stillTrue?: (trx: Transaction<DB>) => Promise<boolean>;
  /** Records the delivery beside the inbox and outbox rows. */
  record?: (trx: Transaction<DB>, delivery: { address: string; outboxId: string | null }) => Promise<void>;
};

export type Notification = { id: string; kind: string; title: string; body: string; link: string | null; createdAt: string; readAt: string | null };

export const userTopic = (userId: string) => `user:${userId}`;

export type NotifierOptions = { db: Kysely<DB>; mailer: Mailer; fanout: Fanout; log: Logger; config: Config; fallbackUrl: () => string };

export class Notifier {
  readonly #o: NotifierOptions;
  // The HMAC key of unsubscribe links, read (or made) once.

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  /** The base of links in e-mails: the configured public URL, else the first-run one, else the listen address. */
  async publicUrl(): Promise<string> {
    return publicBaseUrl(this.#o.config, this.#o.db, this.#o.fallbackUrl());
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

  /**
   * Returns false when the dedupe key says it already happened, `options.stillTrue` says its
   * facts changed, or the user is gone. The inbox row, the outbox row and whatever
   * `options.record` writes commit together, so a retried caller sends nothing twice.
   */
  async notify(input: NotifyInput, options: ClaimOptions = {}): Promise<boolean> {
    const { db, fanout, log } = this.#o;
    const user = await db.selectFrom("users").select(["email", "display_name", "notification_prefs"]).where("id", "=", input.userId).executeTakeFirst();
    if (!user) return false;
    const prefs = (JSON.parse(user.notification_prefs) as Record<string, { email?: boolean; in_app?: boolean }>)[input.kind] ?? {};
    const notification: Notification = {
      id: randomUUID(), kind: input.kind, title: input.title, body: input.body, link: input.link ?? null,
      createdAt: new Date().toISOString(), readAt: null,
    };
    const inApp = prefs.in_app !== false;
    // Read before the transaction: the single SQLite connection is held by it.
    const mail = input.email !== false && prefs.email !== false
      ? await this.#mailData({ email: user.email, name: user.display_name }, input, TRANSACTIONAL.has(input.kind) ? null : { userId: input.userId, kind: input.kind })
      : null;
    const staged = await db.transaction().execute(async (trx) => {
      if (options.stillTrue && !(await options.stillTrue(trx))) return null;
      const inserted = await trx
        .insertInto("notifications")
        .values({
          id: notification.id, user_id: input.userId, kind: input.kind, title: input.title, body: input.body, link: notification.link,
          event_id: input.eventId ?? null, dedupe_key: input.dedupeKey ?? null, in_app: inApp ? 1 : 0, created_at: notification.createdAt,
        })
        .onConflict((oc) => oc.column("dedupe_key").doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) return null;
      const outbox = mail ? await this.#o.mailer.stage(trx, user.email, "notification", mail) : null;
      await options.record?.(trx, { address: user.email, outboxId: outbox?.id ?? null });
      return { outbox };
    });
    if (!staged) return false;
    staged.outbox?.deliver();
    if (inApp) fanout.publish(userTopic(input.userId), { t: "notify.new", notification, unread: await this.unreadCount(input.userId) });
    if (staged.outbox) log.debug({ kind: input.kind, userId: input.userId }, "notification e-mailed");
    return true;
  }

  /**
   * E-mail to a ticket holder who has no account: no inbox and no preferences to consult.
   * With `options.stillTrue` (which may claim the delivery by writing a row) the claim and
   * the outbox row commit together; false when it claimed nothing and sent nothing.
   */
  async emailGuest(
    to: { email: string; name: string },
    input: Pick<NotifyInput, "title" | "body" | "link" | "linkLabel" | "brand">,
    options: ClaimOptions = {},
  ): Promise<boolean> {
    const mail = await this.#mailData(to, input, null);
    const staged = await this.#o.db.transaction().execute(async (trx) => {
      if (options.stillTrue && !(await options.stillTrue(trx))) return null;
      const outbox = await this.#o.mailer.stage(trx, to.email, "notification", mail);
      await options.record?.(trx, { address: to.email, outboxId: outbox.id });
      return outbox;
    });
    staged?.deliver();
    return staged !== null;
  }

  async #mailData(
    to: { email: string; name: string },
    input: Pick<NotifyInput, "title" | "body" | "link" | "linkLabel" | "brand">,
    unsubscribe: { userId: string; kind: NotificationKind } | null,
  ): Promise<MailTemplates["notification"]> {
    const base = await this.publicUrl();
    return {
      displayName: to.name,
      brand: input.brand ?? "Plenary",
      subject: input.title,
      paragraphs: input.body.split(/\n{2,}/),
      ...(input.link ? { link: { href: base + input.link, label: input.linkLabel ?? "Open in Plenary" } } : {}),
      ...(unsubscribe ? { unsubscribe: `${base}/unsubscribe?token=${await this.unsubscribeToken(unsubscribe.userId, unsubscribe.kind)}` } : {}),
    };
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
    const secret = await instanceSecret(this.#o.db, SECRET_KEY);
    return createHmac("sha256", secret).update(payload).digest("base64url");
  }
}
