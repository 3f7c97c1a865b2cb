/** A bare webhook endpoint on loopback that keeps each raw body and signature it is sent. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedWebhook = { body: string; signature: string | undefined };

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Statuses to answer the next deliveries with, in order; 200 once empty. */
  readonly statuses: number[] = [];
  // The HTTP server.
  readonly #server: Server;
  port = 0;

  private constructor() {
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const signature = req.headers["stripe-signature"];
      this.received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: Array.isArray(signature) ? signature[0] : signature });
      res.writeHead(this.statuses.shift() ?? 200).end();
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, "127.0.0.1", resolve));
    receiver.port = (receiver.#server.address() as AddressInfo).port;
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks/stripe`;
  }

  /** Event types received so far, in arrival order. */
  get types(): string[] {
    return this.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
