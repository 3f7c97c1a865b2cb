/**
 * Outgoing e-mail. Every message is written to the outbox table first; with SMTP
 * configured it is then sent by nodemailer and marked sent or failed, and with no SMTP it
 * stays there for admins to read, so a fresh install works without a mail server.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config/index.ts";
import type { DB } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import { type MailTemplates, renderMail, type TemplateName } from "./templates.ts";

/** A file sent with a message (a calendar file, say); kept in the outbox with it. */
export type MailAttachment = { filename: string; contentType: string; content: string | Buffer };
/** Extras of one message. */
export type MailOptions = { attachments?: MailAttachment[] };

export class Mailer {
  readonly #db: Kysely<DB>;
  readonly #config: Config["mail"];
  readonly #log: Logger;
  // Null when no SMTP server is configured.
  readonly #transport: Transporter | null;
  // Sends still in flight, so close() can wait for them.
  readonly #pending = new Set<Promise<void>>();

  constructor(db: Kysely<DB>, config: Config["mail"], log: Logger) {
    this.#db = db;
    this.#config = config;
    this.#log = log;
    this.#transport = config.smtp_host
      ? nodemailer.createTransport({
          host: config.smtp_host,
          port: config.smtp_port,
          secure: config.smtp_secure,
          requireTLS: config.smtp_require_tls,
          auth: config.smtp_user ? { user: config.smtp_user, pass: config.smtp_password } : undefined,
        })
      : null;
  }

  /**
   * Queues a message and returns once it is in the outbox; SMTP delivery continues in the
   * background so a slow mail server never slows a request (or reveals by timing whom it
   * was for).
   */
  async send<K extends TemplateName>(to: string, template: K, data: MailTemplates[K], options: MailOptions = {}): Promise<string> {
    const staged = await this.stage(this.#db, to, template, data, options);
    staged.deliver();
    return staged.id;
  }

  /**
   * Writes a message to the outbox through `db` (a transaction of the caller's, so the row
   * commits or vanishes with the caller's own rows); `deliver()` hands it to SMTP and must be
   * called only once that transaction has committed.
   */
  async stage<K extends TemplateName>(
    db: Kysely<DB>, to: string, template: K, data: MailTemplates[K], options: MailOptions = {},
  ): Promise<{ id: string; deliver(): void }> {
    const attachments = (options.attachments ?? []).map((a) => ({
      filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content).toString("base64"),
    }));
    const rendered = { ...renderMail(template, data), attachments };
    const id = randomUUID();
    await db
      .insertInto("outbox")
      .values({
        id,
        created_at: new Date().toISOString(),
        to_address: to,
        template,
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        status: this.#transport ? "sending" : "stored",
        sent_at: null,
        error: null,
        attachments: JSON.stringify(attachments),
      })
      .execute();
    const transport = this.#transport;
    if (!transport) {
      this.#log.info({ outboxId: id, template }, "mail stored in the outbox (no SMTP configured)");
      return { id, deliver: () => {} };
    }
    return {
      id,
      deliver: () => {
        const delivery = this.#deliver(transport, id, to, rendered).finally(() => this.#pending.delete(delivery));
        this.#pending.add(delivery);
      },
    };
  }

  async #deliver(transport: Transporter, id: string, to: string, mail: { subject: string; text: string; html: string; attachments: MailAttachment[] }) {
    try {
      const attachments = mail.attachments.map((a) => ({ ...a, encoding: "base64" }));
      await transport.sendMail({ from: this.#config.from, to, subject: mail.subject, text: mail.text, html: mail.html, attachments });
      await this.#db.updateTable("outbox").set({ status: "sent", sent_at: new Date().toISOString() }).where("id", "=", id).execute();
    } catch (error) {
      this.#log.warn({ err: error, outboxId: id }, "mail delivery failed");
      await this.#db
        .updateTable("outbox")
        .set({ status: "failed", error: (error as Error).message.slice(0, 500) })
        .where("id", "=", id)
        .execute()
        .catch(() => {});
    }
  }

  /** Waits for sends in flight, then closes the SMTP pool. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
    this.#transport?.close();
  }
}
