/**
 * PaymentProvider on Stripe: Checkout Sessions with destination charges (the organizer's
 * Express account is paid, the platform keeps `application_fee_amount`), refunds by
 * PaymentIntent, fees read from the charge's balance transaction (in its currency, the
 * settlement currency, which may not be the payment's), and webhooks verified by
 * the stripe package on the raw body.
 */
import Stripe from "stripe";
import type { Config } from "../config/index.ts";
import { PaymentProviderError } from "./errors.ts";
import type {
  Checkout,
  CheckoutRequest,
  CheckoutState,
  Dispute,
  DisputeChange,
  DisputeFee,
  DisputeState,
  Money,
  Payment,
  PaymentEvent,
  PaymentProvider,
  Payout,
  PayoutAccount,
  Refund,
  RefundRequest,
} from "./provider.ts";

/**
 * The API version every request and webhook uses. Pinned rather than left to the package, so
 * that upgrading `stripe` cannot change the shape of objects under us; `stripe-provider.test.ts`
 * fails when the package moves on, which is the moment to read Stripe's changelog and bump it.
 */
export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

const PROVIDER = "stripe";

export type StripeSettings = Config["stripe"];

export class StripeProvider implements PaymentProvider {
  readonly name = PROVIDER;
  // The API client, pointed at api_host/api_port/api_protocol.
  readonly #stripe: Stripe;
  // Endpoint signing secret (whsec_…).
  readonly #webhookSecret: string;
  // Oldest signature accepted, in seconds.
  readonly #toleranceSeconds: number;

  constructor(settings: StripeSettings) {
    this.#stripe = new Stripe(settings.secret_key, {
      apiVersion: STRIPE_API_VERSION,
      host: settings.api_host,
      port: settings.api_port,
      protocol: settings.api_protocol,
      maxNetworkRetries: settings.max_network_retries,
      // Request timing sent back to Stripe: nothing a self-hosted server needs to share.
      telemetry: false,
      appInfo: { name: "Plenary" },
    });
    this.#webhookSecret = settings.webhook_secret;
    this.#toleranceSeconds = settings.webhook_tolerance_seconds;
  }

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    const metadata = { order_id: request.orderId };
    const session = await this.#call(() =>
      this.#stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: request.lines.map((line) => ({
            quantity: line.quantity,
            price_data: { currency: request.currency, unit_amount: line.unitAmount, product_data: { name: line.name } },
          })),
          success_url: request.successUrl,
          cancel_url: request.cancelUrl,
          expires_at: Math.floor(request.expiresAt.getTime() / 1000),
          client_reference_id: request.orderId,
          ...(request.customerId ? { customer: request.customerId } : { customer_email: request.customerEmail }),
          metadata,
          payment_intent_data: {
            // On the PaymentIntent too, so refunds, disputes and the dashboard name the order.
            metadata,
            // The card paid with is kept on the customer for their next checkout.
            ...(request.customerId ? { setup_future_usage: "on_session" as const } : {}),
            ...(request.payee
              ? {
                  application_fee_amount: request.payee.applicationFee,
                  transfer_data: { destination: request.payee.accountId },
                  // The organizer sells the ticket: their name on the statement, their country's rules.
                  on_behalf_of: request.payee.accountId,
                }
              : {}),
          },
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return checkoutOf(session);
  }

  async createCustomer(request: { userId: string; email: string; name: string; idempotencyKey: string }): Promise<string> {
    const customer = await this.#call(() =>
      this.#stripe.customers.create({ email: request.email, name: request.name, metadata: { user_id: request.userId } }, { idempotencyKey: request.idempotencyKey }),
    );
    return customer.id;
  }

  async retrieveCheckout(checkoutId: string, accountId?: string): Promise<Checkout> {
    // The PaymentIntent tells a delayed payment still on its way from one the bank refused.
    return checkoutOf(await this.#call(() => this.#stripe.checkout.sessions.retrieve(checkoutId, { expand: ["payment_intent"] }, { stripeAccount: accountId })));
  }

  async expireCheckout(checkoutId: string, accountId?: string): Promise<Checkout> {
    const current = await this.retrieveCheckout(checkoutId, accountId);
    if (current.state !== "open") return current;
    try {
      return checkoutOf(await this.#stripe.checkout.sessions.expire(checkoutId, {}, { stripeAccount: accountId }));
    } catch (error) {
      // Paid (or expired) between our read and the expire call: the session's state wins.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 400) return this.retrieveCheckout(checkoutId, accountId);
      throw failure(error);
    }
  }

  async retrievePayment(paymentId: string, accountId?: string): Promise<Payment> {
    const intent = await this.#call(() =>
      this.#stripe.paymentIntents.retrieve(paymentId, { expand: ["latest_charge.balance_transaction"] }, { stripeAccount: accountId }),
    );
    const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null;
    const balance = charge && typeof charge.balance_transaction === "object" ? charge.balance_transaction : null;
    return {
      id: intent.id,
      amount: intent.amount_received,
      currency: intent.currency,
      processorFee: balance ? processingFeeOf(balance) : null,
      applicationFee: intent.application_fee_amount ?? 0,
      amountRefunded: charge?.amount_refunded ?? 0,
    };
  }

  async refund(request: RefundRequest): Promise<Refund> {
    const refund = await this.#call(() =>
      this.#stripe.refunds.create(
        { payment_intent: request.paymentId, amount: request.amount, reason: request.reason, metadata: request.metadata },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return refundOf(refund);
  }

  async parseWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): Promise<PaymentEvent> {
    const signature = headers["stripe-signature"];
    if (typeof signature !== "string" || signature === "") throw PaymentProviderError.signatureInvalid(PROVIDER, "no Stripe-Signature header");
    if (!this.#webhookSecret) throw PaymentProviderError.signatureInvalid(PROVIDER, "stripe.webhook_secret is not set");
    let event: Stripe.Event;
    try {
      event = this.#stripe.webhooks.constructEvent(rawBody, signature, this.#webhookSecret, this.#toleranceSeconds);
    } catch (error) {
      throw PaymentProviderError.signatureInvalid(PROVIDER, (error as Error).message.split("\n")[0]);
    }
    return normalizeEvent(event);
  }

  async createPayoutAccount(request: { organizationId: string; email: string; country?: string; idempotencyKey: string }): Promise<PayoutAccount> {
    const account = await this.#call(() =>
      this.#stripe.accounts.create(
        {
          type: "express",
          email: request.email,
          country: request.country,
          capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
          metadata: { organization_id: request.organizationId },
        },
        { idempotencyKey: request.idempotencyKey },
      ),
    );
    return payoutAccountOf(account);
  }

  async createOnboardingLink(accountId: string, urls: { returnUrl: string; refreshUrl: string }): Promise<string> {
    const link = await this.#call(() =>
      this.#stripe.accountLinks.create({ account: accountId, type: "account_onboarding", return_url: urls.returnUrl, refresh_url: urls.refreshUrl }),
    );
    return link.url;
  }

  async retrievePayoutAccount(accountId: string): Promise<PayoutAccount> {
    return payoutAccountOf(await this.#call(() => this.#stripe.accounts.retrieve(accountId)));
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw failure(error);
    }
  }
}

function failure(error: unknown): PaymentProviderError {
  if (!(error instanceof Stripe.errors.StripeError)) return PaymentProviderError.unavailable(PROVIDER, String(error));
  const detail = `${error.type}${error.code ? ` ${error.code}` : ""}: ${error.message}`;
  if (error.statusCode === 404) return PaymentProviderError.unknownToProvider(PROVIDER, detail);
  if (error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError || error instanceof Stripe.errors.StripeRateLimitError) {
    return PaymentProviderError.unavailable(PROVIDER, detail);
  }
  return PaymentProviderError.rejected(PROVIDER, detail);
}

function checkoutOf(session: Stripe.Checkout.Session): Checkout {
  let state: CheckoutState = "open";
  if (session.status === "expired") state = "expired";
  else if (session.status === "complete" && session.payment_status !== "unpaid") state = "paid";
  else if (session.status === "complete") {
    const intent = typeof session.payment_intent === "object" ? session.payment_intent : null;
    state = intent && (intent.status === "requires_payment_method" || intent.status === "canceled") ? "expired" : "processing";
  }
  return {
    id: session.id,
    url: session.status === "open" ? session.url : null,
    orderId: session.metadata?.order_id ?? session.client_reference_id ?? null,
    state,
    amountTotal: session.amount_total ?? 0,
    currency: session.currency ?? "",
    paymentId: typeof session.payment_intent === "string" ? session.payment_intent : (session.payment_intent?.id ?? null),
    expiresAt: new Date(session.expires_at * 1000),
  };
}

function refundOf(refund: Stripe.Refund): Refund {
  const state = refund.status === "succeeded" || refund.status === "failed" || refund.status === "canceled" ? refund.status : "pending";
  const paymentId = typeof refund.payment_intent === "string" ? refund.payment_intent : (refund.payment_intent?.id ?? "");
  return { id: refund.id, paymentId, amount: refund.amount, currency: refund.currency, state };
}

function payoutAccountOf(account: Stripe.Account): PayoutAccount {
  return { id: account.id, chargesEnabled: account.charges_enabled ?? false, payoutsEnabled: account.payouts_enabled ?? false, detailsSubmitted: account.details_submitted ?? false };
}

const DISPUTE_CHANGE = {
  "charge.dispute.updated": "updated",
  "charge.dispute.closed": "closed",
  "charge.dispute.funds_withdrawn": "funds_withdrawn",
  "charge.dispute.funds_reinstated": "funds_reinstated",
} as const satisfies Record<string, DisputeChange>;

/** Stripe's dispute statuses in Plenary's words (warning_*: an inquiry, no money moved). */
function disputeOf(dispute: Stripe.Dispute): Dispute {
  const states: Record<string, DisputeState> = {
    warning_needs_response: "inquiry",
    warning_under_review: "inquiry",
    warning_closed: "closed",
    needs_response: "open",
    under_review: "open",
    won: "won",
    lost: "lost",
    prevented: "closed",
  };
  return {
    disputeId: dispute.id,
    paymentId: idOf(dispute.payment_intent),
    amount: dispute.amount,
    currency: dispute.currency,
    reason: dispute.reason,
    state: states[dispute.status] ?? "open",
    fees: (dispute.balance_transactions ?? []).map(disputeFeeOf).filter((fee) => fee.amount !== 0),
  };
}

/**
 * The fee on one of a dispute's balance transactions: Stripe's dispute fee (and any tax on
 * it) as its fee_details say, positive on the withdrawal and negative when it is returned.
 * An application fee is the platform's commission, booked with the sale, so it is left out.
 */
function disputeFeeOf(transaction: Stripe.BalanceTransaction): DisputeFee {
  const amount = (transaction.fee_details ?? []).filter((f) => f.type !== "application_fee").reduce((sum, f) => sum + f.amount, 0);
  return { id: transaction.id, amount, currency: transaction.currency, at: new Date(transaction.created * 1000) };
}

/**
 * Stripe's processing fee on a charge's balance transaction, in the currency Stripe states it
 * in: the balance transaction's, the account's settlement currency (USD for a EUR charge
 * settled in USD, with amount and fee converted at its exchange_rate). An application fee in
 * fee_details is the platform's commission, booked with the sale, so only stripe_fee counts.
 */
function processingFeeOf(transaction: Stripe.BalanceTransaction): Money {
  const amount = transaction.fee_details.filter((f) => f.type === "stripe_fee").reduce((sum, f) => sum + f.amount, 0);
  return { amount, currency: transaction.currency };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return typeof value === "string" ? value : (value?.id ?? null);
}

/** Stripe's event, reduced to what Plenary acts on. */
export function normalizeEvent(event: Stripe.Event): PaymentEvent {
  const base = { id: event.id, provider: PROVIDER, occurredAt: new Date(event.created * 1000), accountId: event.account ?? null };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      return { ...base, type: "checkout.completed", checkout: checkoutOf(event.data.object) };
    case "checkout.session.expired":
    case "checkout.session.async_payment_failed":
      return { ...base, type: "checkout.expired", checkout: { ...checkoutOf(event.data.object), state: "expired" } };
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      return { ...base, type: "payment.succeeded", paymentId: intent.id, orderId: intent.metadata?.order_id ?? null, amount: intent.amount_received, currency: intent.currency };
    }
    case "charge.refunded": {
      const charge = event.data.object;
      return {
        ...base,
        type: "payment.refunded",
        paymentId: idOf(charge.payment_intent) ?? charge.id,
        amountRefunded: charge.amount_refunded,
        currency: charge.currency,
        fullyRefunded: charge.refunded,
      };
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
      return { ...base, type: "refund.updated", refund: refundOf(event.data.object) };
    case "charge.succeeded":
    case "charge.updated": {
      // The fee is on the charge's balance transaction, which Stripe may attach after the payment.
      const charge = event.data.object;
      if (!charge.balance_transaction || !charge.paid) return { ...base, type: "ignored", providerType: event.type };
      return { ...base, type: "payment.fee_available", paymentId: idOf(charge.payment_intent) ?? charge.id, orderId: charge.metadata?.order_id ?? null };
    }
    case "charge.dispute.created":
      return { ...base, type: "dispute.opened", ...disputeOf(event.data.object) };
    case "charge.dispute.updated":
    case "charge.dispute.closed":
    case "charge.dispute.funds_withdrawn":
    case "charge.dispute.funds_reinstated":
      return { ...base, type: "dispute.updated", change: DISPUTE_CHANGE[event.type], ...disputeOf(event.data.object) };
    case "payout.paid":
    case "payout.failed":
    case "payout.canceled": {
      const payout = event.data.object;
      return { ...base, type: "payout.updated", payout: { id: payout.id, amount: payout.amount, currency: payout.currency, state: payout.status as Payout["state"] } };
    }
    case "account.updated":
      return { ...base, type: "payout_account.updated", account: payoutAccountOf(event.data.object) };
    default:
      return { ...base, type: "ignored", providerType: event.type };
  }
}
