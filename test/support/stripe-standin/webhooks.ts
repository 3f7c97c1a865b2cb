/**
 * Webhook delivery the way Stripe does it: the event as pretty-printed JSON, POSTed with a
 * `Stripe-Signature: t=…,v1=…` header made by the real stripe package's
 * `generateTestHeaderString` (HMAC-SHA256 of "<t>.<body>" with the endpoint secret), retried
 * with back-off until a 2xx. Tests can hold events and release them out of order, deliver one
 * again, or deliver it with a forged signature.
 */
import Stripe from "stripe";
import type { StripeObject } from "./store.ts";

export type StripeEvent = StripeObject & { type: string; created: number; data: { object: StripeObject }; account?: string };

export type ForgeryKind =
  /** Signed with a secret that is not the endpoint's. */
  | "wrong-secret"
  /** Signed correctly, then the body changed. */
  | "tampered-body"
  /** Correctly signed, but with a timestamp an hour old: a replay. */
  | "stale-timestamp"
  /** No Stripe-Signature header at all. */
  | "no-signature";

export type Delivery = {
  eventId: string;
  type: string;
  attempt: number;
  /** HTTP status the endpoint answered, or 0 when it could not be reached. */
  status: number;
  forged: ForgeryKind | null;
  responseBody: string;
};

export type WebhookOptions = {
  /** Waits before each retry after a failed attempt; its length is the number of retries. Default [50, 200, 500] ms. */
  retryDelaysMs?: number[];
};

export class WebhookSender {
  /** Where events go; null keeps them undelivered (they are still recorded as events). */
  url: string | null = null;
  /** The endpoint's signing secret, `whsec_…`. */
  readonly secret: string;
  /** Every attempt so far, oldest first. */
  readonly deliveries: Delivery[] = [];
  // Retry schedule.
  readonly #retryDelaysMs: number[];
  // Events kept back by hold(), in the order they were sent.
  #held: StripeEvent[] | null = null;
  // Deliveries still running (including their retries).
  readonly #inFlight = new Set<Promise<void>>();
  // Tests waiting for a delivery that matches.
  #waiters: { match: (d: Delivery) => boolean; resolve: (d: Delivery) => void }[] = [];
  // Set by close(): pending retries stop.
  #closed = false;

  constructor(secret: string, options: WebhookOptions = {}) {
    this.secret = secret;
    this.#retryDelaysMs = options.retryDelaysMs ?? [50, 200, 500];
  }

  /** Delivers an event now (with retries), or keeps it while held. */
  send(event: StripeEvent) {
    if (this.#held) this.#held.push(event);
    else this.#track(this.#deliverWithRetries(event));
  }

  /** Keeps every event sent from now on until release(). */
  hold() {
    this.#held ??= [];
  }

  /** Delivers the held events, by default in reverse order (the out-of-order case), one after another. */
  async release(order: "as-sent" | "reversed" | ((events: StripeEvent[]) => StripeEvent[]) = "reversed"): Promise<StripeEvent[]> {
    const events = this.#held ?? [];
    this.#held = null;
    const ordered = order === "as-sent" ? events : order === "reversed" ? [...events].reverse() : order(events);
    for (const event of ordered) await this.#track(this.#deliverWithRetries(event));
    return ordered;
  }

  /** Delivers an event again, freshly signed (what Stripe does when it resends). */
  redeliver(event: StripeEvent): Promise<Delivery> {
    return this.#deliverOnce(event, this.#attemptsOf(event.id) + 1, null);
  }

  /** Delivers an event once with a forged signature; nothing is retried. */
  deliverForged(event: StripeEvent, kind: ForgeryKind): Promise<Delivery> {
    return this.#deliverOnce(event, this.#attemptsOf(event.id) + 1, kind);
  }

  /** The first delivery (made or still to come) that matches. */
  waitFor(match: (d: Delivery) => boolean, timeoutMs = 5_000): Promise<Delivery> {
    const seen = this.deliveries.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching webhook delivery within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ match, resolve: (d) => (clearTimeout(timer), resolve(d)) });
    });
  }

  /** Resolves when no delivery or retry is running. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  close() {
    this.#closed = true;
  }

  /** The signed body and headers of a delivery, as Stripe would send it. */
  sign(event: StripeEvent, forged: ForgeryKind | null = null): { body: string; headers: Record<string, string> } {
    const payload = JSON.stringify(event, null, 2);
    const timestamp = Math.floor(Date.now() / 1000) - (forged === "stale-timestamp" ? 3_600 : 0);
    const secret = forged === "wrong-secret" ? `${this.secret}x` : this.secret;
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    // Every event carries "livemode": false, so the change always lands.
    const body = forged === "tampered-body" ? payload.replace('"livemode": false', '"livemode": true') : payload;
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      "cache-control": "no-cache",
    };
    if (forged !== "no-signature") headers["stripe-signature"] = signature;
    return { body, headers };
  }

  #track(work: Promise<unknown>): Promise<void> {
    const done = work.then(() => undefined, () => undefined);
    this.#inFlight.add(done);
    void done.finally(() => this.#inFlight.delete(done));
    return done;
  }

  async #deliverWithRetries(event: StripeEvent) {
    const first = this.#attemptsOf(event.id) + 1;
    for (let attempt = first; ; attempt++) {
      const delivery = await this.#deliverOnce(event, attempt, null);
      if (delivery.status >= 200 && delivery.status < 300) return;
      const delay = this.#retryDelaysMs[attempt - first];
      if (delay === undefined || this.#closed) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async #deliverOnce(event: StripeEvent, attempt: number, forged: ForgeryKind | null): Promise<Delivery> {
    const { body, headers } = this.sign(event, forged);
    let status = 0;
    let responseBody = "";
    if (this.url) {
      try {
        const response = await fetch(this.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
        status = response.status;
        responseBody = await response.text();
      } catch (error) {
        responseBody = (error as Error).message;
      }
    }
    const delivery: Delivery = { eventId: event.id, type: event.type, attempt, status, forged, responseBody };
    this.deliveries.push(delivery);
    this.#waiters = this.#waiters.filter((w) => (w.match(delivery) ? (w.resolve(delivery), false) : true));
    return delivery;
  }

  #attemptsOf(eventId: string): number {
    return this.deliveries.filter((d) => d.eventId === eventId).length;
  }
}
