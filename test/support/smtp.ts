/** A real SMTP server on loopback that keeps every message it receives, parsed. */
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = { to: string[]; subject: string; text: string; html: string; raw: ParsedMail };

export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  readonly #server: SMTPServer;
  #waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  port = 0;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            const mail: ReceivedMail = {
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              raw: parsed,
            };
            this.messages.push(mail);
            this.#waiters = this.#waiters.filter((w) => (w.match(mail) ? (w.resolve(mail), false) : true));
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  }

  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer();
    await new Promise<void>((resolve) => smtp.#server.listen(0, "127.0.0.1", () => resolve()));
    smtp.port = (smtp.#server.server.address() as AddressInfo).port;
    return smtp;
  }

  /** The first message (received or still to come) to this address matching the filter. */
  next(to: string, match: (m: ReceivedMail) => boolean = () => true, timeoutMs = 5_000): Promise<ReceivedMail> {
    const test = (m: ReceivedMail) => m.to.includes(to) && match(m);
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ match: test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Mail to an address received so far. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Settings that point a Plenary test server at this SMTP server. */
  get env(): Record<string, string> {
    return { PLENARY_MAIL_SMTP_HOST: "127.0.0.1", PLENARY_MAIL_SMTP_PORT: String(this.port), PLENARY_MAIL_FROM: "Plenary Test <plenary@test.local>" };
  }
}

/** The token query parameter of the first link in a mail's text part. */
export function linkToken(mail: ReceivedMail): string {
  const match = /https?:\/\/\S+[?&]token=([\w-]+)/.exec(mail.text);
  if (!match) throw new Error(`no link with a token in:\n${mail.text}`);
  return match[1];
}
