/**
 * A local stand-in for Stripe's HTTP API on 127.0.0.1, spoken to by the real `stripe` client
 * (`new Stripe(key, { host: "127.0.0.1", port, protocol: "http" })`), with webhooks signed the
 * way Stripe signs them and a control API for what happens outside the API: the customer
 * paying at the hosted page, a session expiring, a refund settling, a dispute and its outcome,
 * a fee known only later, payouts to connected accounts, onboarding, and an account that
 * settles in another currency than the charge's (`settleIn`, at stated exchange rates).
 *
 *   const stripe = await StripeStandin.start({ webhookUrl });
 *   const session = await stripe.client().checkout.sessions.create({...});
 *   stripe.pay(session.id);                       // → payment_intent.succeeded, checkout.session.completed
 *   await stripe.webhooks.idle();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { type ApiState, StandinApi } from "./api.ts";
import { attachBalanceTransaction, type Buyer, expireCheckoutSession, payCheckoutSession, settleDelayedPayment } from "./checkout.ts";
import { completeOnboarding, confirmSetupIntent } from "./customers.ts";
import { checkoutPage, onboardingPage } from "./pages.ts";
import { parseParams } from "./params.ts";
import { makePayout, settlePayout } from "./payouts.ts";
import { closeDispute, openDispute, type RefundStatus, settleRefund } from "./refunds.ts";
import { nowSeconds, type StandinContext, StandinStore, type StripeObject, stripeId } from "./store.ts";
import { type StripeEvent, WebhookSender } from "./webhooks.ts";

export { type Delivery, type ForgeryKind, type StripeEvent } from "./webhooks.ts";

export type StandinOptions = {
  /** Secret key the client must use. Default: a fresh `sk_test_…`. */
  apiKey?: string;
  /** Webhook endpoint's signing secret. Default: a fresh `whsec_…`. */
  webhookSecret?: string;
  /** Where events are POSTed; can be set later through `webhooks.url`. */
  webhookUrl?: string;
  /** Waits before webhook retries. Default [50, 200, 500] ms. */
  retryDelaysMs?: number[];
  /** Stripe's processing fee: basis points of the amount plus a fixed part. Default 2.9 % + 30. */
  processingFee?: { basisPoints: number; fixed: number };
  /** Status new refunds start in. Default "succeeded" (card refunds); "pending" to test settlement. */
  refundStatus?: RefundStatus;
  /**
   * Stripe's dispute fee (default 1500, as in the US) and whether the account gets it back
   * when it wins (default false; some accounts and networks do, per dispute in closeDispute).
   */
  disputeFee?: { amount?: number; returnedWhenWon?: boolean };
  /**
   * The platform's settlement currency: charges made on the platform (and not on behalf of a
   * connected account) in another currency are converted into it at `exchangeRates`. Default:
   * none, each charge settles in its own currency. Connected accounts: `settleIn`.
   */
  settlementCurrency?: string;
  /** Fixed exchange rates for those conversions, by "from:to" (`{ "eur:usd": 1.1 }`: 10.00 EUR settles as 11.00 USD). */
  exchangeRates?: Record<string, number>;
};

export class StripeStandin {
  readonly apiKey: string;
  readonly webhooks: WebhookSender;
  /** Every event made, oldest first. */
  readonly events: StripeEvent[] = [];
  // The HTTP server.
  readonly #server: Server;
  // Objects.
  readonly #store = new StandinStore();
  // Key, refund mode, injected failures and the request log, shared with the API.
  readonly #state: ApiState;
  // Handlers' view of the stand-in.
  readonly #ctx: StandinContext;
  // The /v1 API.
  readonly #api: StandinApi;
  port = 0;

  private constructor(options: StandinOptions) {
    this.apiKey = options.apiKey ?? stripeId("sk_test");
    this.webhooks = new WebhookSender(options.webhookSecret ?? stripeId("whsec"), { retryDelaysMs: options.retryDelaysMs });
    this.webhooks.url = options.webhookUrl ?? null;
    this.#state = { apiKey: this.apiKey, refundStatus: options.refundStatus ?? "succeeded", injectedFailures: [], requests: [] };
    const fee = options.processingFee ?? { basisPoints: 290, fixed: 30 };
    this.#ctx = {
      store: this.#store,
      baseUrl: "",
      emit: (type, object, account, previous) => this.#emit(type, object, account, previous),
      processingFee: (amount) => Math.round((amount * fee.basisPoints) / 10_000) + fee.fixed,
      disputeFee: { amount: options.disputeFee?.amount ?? 1_500, returnedWhenWon: options.disputeFee?.returnedWhenWon ?? false },
      settlement: { currencies: new Map(options.settlementCurrency ? [["", options.settlementCurrency.toLowerCase()]] : []), rates: { ...options.exchangeRates } },
    };
    this.#api = new StandinApi(this.#ctx, this.#state);
    this.#server = createServer((req, res) => void this.#serve(req, res));
  }

  static async start(options: StandinOptions = {}): Promise<StripeStandin> {
    const standin = new StripeStandin(options);
    await new Promise<void>((resolve) => standin.#server.listen(0, "127.0.0.1", resolve));
    standin.port = (standin.#server.address() as AddressInfo).port;
    standin.#ctx.baseUrl = standin.baseUrl;
    return standin;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The client options that point the real stripe client here. */
  get clientConfig(): { host: string; port: number; protocol: "http" } {
    return { host: "127.0.0.1", port: this.port, protocol: "http" };
  }

  /** The PLENARY_STRIPE_* settings that point a Plenary server here, without network retries. */
  get serverEnv(): Record<string, string> {
    return {
      PLENARY_STRIPE_SECRET_KEY: this.apiKey,
      PLENARY_STRIPE_WEBHOOK_SECRET: this.webhooks.secret,
      PLENARY_STRIPE_API_HOST: "127.0.0.1",
      PLENARY_STRIPE_API_PORT: String(this.port),
      PLENARY_STRIPE_API_PROTOCOL: "http",
      PLENARY_STRIPE_MAX_NETWORK_RETRIES: "0",
    };
  }

  /** A real stripe client talking to this stand-in; no retries unless asked, so tests see every error. */
  client(options: { stripeAccount?: string; maxNetworkRetries?: number } = {}): Stripe {
    return new Stripe(this.apiKey, { ...this.clientConfig, maxNetworkRetries: options.maxNetworkRetries ?? 0, stripeAccount: options.stripeAccount, telemetry: false });
  }

  /** Requests the API has seen, oldest first. */
  get requests(): ApiState["requests"] {
    return this.#state.requests;
  }

  /** The customer pays the session at the hosted page (`delayed`: with a method the bank confirms later). */
  pay(sessionId: string, buyer?: Buyer): StripeObject {
    return structuredClone(payCheckoutSession(this.#ctx, sessionId, buyer));
  }

  /** The bank's answer to a delayed payment (checkout.session.async_payment_succeeded or _failed). */
  settleDelayedPayment(sessionId: string, outcome: "succeeded" | "failed" = "succeeded"): StripeObject {
    return structuredClone(settleDelayedPayment(this.#ctx, sessionId, outcome));
  }

  /** The session runs out before it is paid (checkout.session.expired). */
  expire(sessionId: string): StripeObject {
    return structuredClone(expireCheckoutSession(this.#ctx, this.#store.ownerOf(sessionId), sessionId));
  }

  /** The cardholder disputes the payment (charge.dispute.created). */
  dispute(paymentIntentId: string, reason?: string): StripeObject {
    return structuredClone(openDispute(this.#ctx, paymentIntentId, reason));
  }

  /**
   * The card network decides a dispute (won: charge.dispute.funds_reinstated, with the dispute
   * fee given back when `feeReturned`, default the stand-in's disputeFee.returnedWhenWon; then
   * charge.dispute.closed).
   */
  closeDispute(disputeId: string, outcome: "won" | "lost", options: { feeReturned?: boolean } = {}): StripeObject {
    return structuredClone(closeDispute(this.#ctx, disputeId, outcome, options.feeReturned ?? this.#ctx.disputeFee.returnedWhenWon));
  }

  /** A payment made with `feeLater` gets its balance transaction and so its fee (charge.updated). */
  attachBalanceTransaction(paymentIntentId: string): StripeObject {
    return structuredClone(attachBalanceTransaction(this.#ctx, paymentIntentId));
  }

  /** Stripe pays a connected account's balance out to its bank (payout.created, then payout.paid or payout.failed, with `account`). */
  payout(accountId: string, input: { amount: number; currency: string; outcome?: "paid" | "failed" }): StripeObject {
    return structuredClone(makePayout(this.#ctx, accountId, { ...input, outcome: input.outcome ?? "paid" }));
  }

  /** A payout already paid is sent back by the bank (payout.failed). */
  failPayout(payoutId: string): StripeObject {
    return structuredClone(settlePayout(this.#ctx, payoutId, "failed"));
  }

  /** A pending refund reaches its final state (refund.updated). */
  settleRefund(refundId: string, status: "succeeded" | "failed" | "canceled" = "succeeded"): StripeObject {
    return structuredClone(settleRefund(this.#ctx, refundId, status));
  }

  /** The customer enters a card for a SetupIntent. */
  confirmSetupIntent(setupIntentId: string): StripeObject {
    return structuredClone(confirmSetupIntent(this.#ctx, setupIntentId));
  }

  /**
   * From now on `account` (a connected account, or null: the platform) settles only in
   * `currency`, its default currency: charges in other currencies made for it are converted at
   * the stated exchange rates, their balance transactions (and those of their refunds and
   * disputes) in `currency` with `exchange_rate` set. Null: it settles in every currency again.
   */
  settleIn(account: string | null, currency: string | null): void {
    if (account !== null) {
      const found = this.#store.get(account, null, "account");
      if (currency) found.default_currency = currency.toLowerCase();
    }
    if (currency) this.#ctx.settlement.currencies.set(account ?? "", currency.toLowerCase());
    else this.#ctx.settlement.currencies.delete(account ?? "");
  }

  /** The organizer finishes Connect onboarding (account.updated). */
  completeOnboarding(accountId: string): StripeObject {
    return structuredClone(completeOnboarding(this.#ctx, accountId));
  }

  /** The next API request is answered with this error before it is handled (a Stripe outage). */
  failNext(status = 500, type = "api_error", message = "An unknown error occurred"): void {
    this.#state.injectedFailures.push({ status, type, message });
  }

  /** The newest event of a type (optionally about one object). */
  event(type: string, objectId?: string): StripeEvent | undefined {
    return this.events.findLast((e) => e.type === type && (objectId === undefined || e.data.object.id === objectId));
  }

  /** Any stored object, whoever owns it. */
  object(id: string): StripeObject | undefined {
    const found = this.#store.find(id);
    return found && structuredClone(found);
  }

  async close(): Promise<void> {
    this.webhooks.close();
    await this.webhooks.idle();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #emit(type: string, object: StripeObject, account: string | null, previous?: Record<string, unknown>) {
    const event: StripeEvent = {
      id: stripeId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      ...(account ? { account } : {}),
    };
    this.#store.put(account, event);
    this.events.push(event);
    this.webhooks.send(event);
  }

  async #serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.baseUrl);
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/v1/")) {
      const answer = this.#api.handle({ method, path: url.pathname, query: url.search.slice(1), body, headers: req.headers });
      res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json" });
      res.end(JSON.stringify(answer.body, null, 2));
      return;
    }
    try {
      this.#servePage(method, url.pathname, body, res);
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
      res.end((error as Error).message);
    }
  }

  #servePage(method: string, path: string, body: string, res: ServerResponse) {
    const html = (text: string) => (res.writeHead(200, { "content-type": "text/html; charset=utf-8" }), res.end(text));
    const redirect = (to: string) => (res.writeHead(303, { location: to }), res.end());
    const checkout = /^\/checkout\/([A-Za-z0-9_]+)(\/pay)?$/.exec(path);
    if (checkout) {
      const session = this.#store.find(checkout[1]);
      if (!session || session.object !== "checkout.session") return void (res.writeHead(404), res.end("No such checkout session"));
      if (method === "GET" && !checkout[2]) return void html(checkoutPage(session, this.#store.hidden(session.id).lineItems as StripeObject[]));
      if (method === "POST" && checkout[2]) {
        const email = parseParams(body).email;
        const paid = payCheckoutSession(this.#ctx, session.id, { email: typeof email === "string" && email ? email : undefined });
        return void redirect(String(paid.success_url).replaceAll("{CHECKOUT_SESSION_ID}", session.id));
      }
    }
    const onboarding = /^\/connect\/onboarding\/([A-Za-z0-9_]+)$/.exec(path);
    if (onboarding) {
      const account = this.#store.find(onboarding[1]);
      const urls = this.#store.hidden(onboarding[1]).onboarding as { returnUrl: string } | undefined;
      if (!account || account.object !== "account" || !urls) return void (res.writeHead(404), res.end("No such onboarding link"));
      if (method === "GET") return void html(onboardingPage(account));
      completeOnboarding(this.#ctx, account.id);
      return void redirect(urls.returnUrl);
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not found");
  }
}
