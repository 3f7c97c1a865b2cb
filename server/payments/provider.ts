/**
 * What Plenary needs from a payment provider, in Plenary's words: a hosted checkout for an
 * order, refunds, the fees a payment cost, verified webhooks turned into a small event union,
 * and payout accounts for organizers (the platform keeps its commission from each payment).
 * Money is integer minor units with a lower-case ISO 4217 currency, as everywhere in Plenary;
 * fees are in the currency the provider states them in, which may not be the payment's.
 *
 * Stripe (StripeProvider) is the first implementation. PayPal Orders v2 fits the same shape:
 * - createCheckout → POST /v2/checkout/orders (intent CAPTURE, purchase_units[0].custom_id =
 *   orderId, items and amount breakdown, payee.merchant_id and payment_instruction.platform_fees
 *   for the organizer and the commission, experience_context return/cancel URLs); `url` is the
 *   order's "payer-action" link and `id` the PayPal order id.
 * - PayPal needs the platform to capture an approved order: its provider reports
 *   CHECKOUT.ORDER.APPROVED as "checkout.approved", and the order flow then calls
 *   `captureCheckout` (also on the buyer's return to successUrl); PAYMENT.CAPTURE.COMPLETED
 *   becomes "checkout.completed"/"payment.succeeded" with the capture id as `paymentId`.
 * - expireCheckout: PayPal orders cannot be cancelled; its provider forgets the order (a later
 *   approval is not captured) and answers "expired".
 * - refund → POST /v2/payments/captures/{paymentId}/refund with an amount (PayPal-Request-Id
 *   as the idempotency key); PAYMENT.CAPTURE.REFUNDED becomes "payment.refunded".
 * - parseWebhook takes all request headers, not one signature header, because PayPal signs
 *   with a certificate named in paypal-cert-url over transmission id, time, webhook id and
 *   the body's CRC32 (paypal-transmission-sig); it is async because that certificate (or
 *   /v1/notifications/verify-webhook-signature) is fetched.
 * - payout accounts → Partner Referrals v2 (`action_url` as the onboarding link) and the
 *   merchant-integrations status for chargesEnabled/payoutsEnabled.
 * - the fee is in the capture's seller_receivable_breakdown.paypal_fee at once (with its own
 *   currency_code, the receivable's when PayPal converted the payment), so
 *   "payment.fee_available" is never needed; CUSTOMER.DISPUTE.CREATED/UPDATED/RESOLVED become
 *   "dispute.opened"/"dispute.updated" (RESOLVED_SELLER_FAVOUR → won, RESOLVED_BUYER_FAVOUR →
 *   lost); sellers are paid into their own PayPal balance, so there is no "payout.updated".
 */

/** A line on the provider's checkout page. */
export type CheckoutLine = {
  /** What the buyer sees, e.g. "Conference pass — Early bird". */
  name: string;
  /** Price of one, minor units. */
  unitAmount: number;
  quantity: number;
};

export type CheckoutRequest = {
  /** Plenary's order; it comes back in every event about this checkout. */
  orderId: string;
  currency: string;
  lines: CheckoutLine[];
  /** Where the buyer lands after paying; Stripe puts the session id in place of {CHECKOUT_SESSION_ID}. */
  successUrl: string;
  cancelUrl: string;
  /** When the provider stops taking payment: the end of the seat hold (at least 30 minutes away on Stripe). */
  expiresAt: Date;
  customerEmail?: string;
  /** The buyer's saved customer (createCustomer): their saved cards are offered, and the card used is saved. Wins over customerEmail. */
  customerId?: string;
  /** The organizer's payout account and the platform's commission, when the organizer is paid through the platform. */
  payee?: { accountId: string; applicationFee: number };
  /** Same key, same checkout: a retried request never makes a second one. */
  idempotencyKey: string;
};

export type CheckoutState =
  /** Waiting for the buyer. */
  | "open"
  /** The buyer finished but the money is not confirmed yet (slow payment methods). */
  | "processing"
  | "paid"
  /** Ran out, was ended, or its delayed payment was refused: no payment will come. */
  | "expired";

export type Checkout = {
  id: string;
  /** The hosted page to send the buyer to; null once the checkout is over. */
  url: string | null;
  orderId: string | null;
  state: CheckoutState;
  amountTotal: number;
  currency: string;
  /** The payment, once there is one (a Stripe PaymentIntent, a PayPal capture). */
  paymentId: string | null;
  expiresAt: Date;
};

/** An amount of money: minor units of its own currency. */
export type Money = { amount: number; currency: string };

/** What a payment brought in and cost, for the ledger. */
export type Payment = {
  id: string;
  /** What the buyer paid, in the checkout's (presentment) currency. */
  amount: number;
  currency: string;
  /**
   * The provider's processing fee, in the currency the provider states it in: the one the
   * payment settles in, which differs from `currency` when the seller's account converts it
   * (Stripe: the charge's balance transaction; PayPal: the capture's
   * seller_receivable_breakdown.paypal_fee). Null when it is not known yet.
   */
  processorFee: Money | null;
  /** The platform's commission taken from this payment, in `currency`. */
  applicationFee: number;
  amountRefunded: number;
};

export type RefundState = "pending" | "succeeded" | "failed" | "canceled";

export type RefundRequest = {
  paymentId: string;
  /** Minor units; the whole remaining amount when left out. */
  amount?: number;
  reason?: "requested_by_customer" | "duplicate" | "fraudulent";
  /** Plenary's ids (order, tickets) so the refund can be matched in events and in the provider's dashboard. */
  metadata?: Record<string, string>;
  idempotencyKey: string;
};

export type Refund = { id: string; paymentId: string; amount: number; currency: string; state: RefundState };

/** An organizer's account that receives payouts. */
export type PayoutAccount = {
  id: string;
  /** Payments can be taken on its behalf. */
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  /** The organizer finished the provider's onboarding form. */
  detailsSubmitted: boolean;
};

/**
 * A cardholder's dispute, in the provider-neutral states Plenary acts on: an inquiry moves no
 * money; an open dispute has taken the amount back from the seller; won returns it; lost keeps
 * it taken; closed is an inquiry that ended without a dispute.
 */
export type DisputeState = "inquiry" | "open" | "won" | "lost" | "closed";
/** What happened to a dispute: money taken, money given back, or a decision. */
export type DisputeChange = "updated" | "funds_withdrawn" | "funds_reinstated" | "closed";

/**
 * What the provider charged for handling a dispute (+, Stripe's dispute fee on the withdrawal)
 * or gave back (−, on the reinstatement where the account gets the fee returned), one per
 * movement of the provider's balance: its id books it once, whichever event shows it.
 */
export type DisputeFee = { id: string; amount: number; currency: string; at: Date };

export type Dispute = {
  disputeId: string;
  paymentId: string | null;
  amount: number;
  currency: string;
  reason: string;
  state: DisputeState;
  /** Every fee movement the provider reports on the dispute so far (an event's snapshot may lag). */
  fees: DisputeFee[];
};

/** Money sent from a payout account's balance to the organizer's bank. */
export type Payout = {
  id: string;
  amount: number;
  currency: string;
  /** "paid" may still turn "failed" later (the bank sends it back). */
  state: "pending" | "in_transit" | "paid" | "failed" | "canceled";
};

type EventBase = {
  /** The provider's event id: process each at most once. */
  id: string;
  provider: string;
  /**
   * When the provider made the event. Events may arrive in any order and more than once, so
   * handlers move an order forward only (paid never goes back to open) or re-read the
   * checkout or payment instead of trusting an event's snapshot.
   */
  occurredAt: Date;
  /** The connected (organizer) account the event happened on, for direct charges; else null. */
  accountId: string | null;
};

export type PaymentEvent = EventBase &
  (
    | { type: "checkout.completed"; checkout: Checkout }
    | { type: "checkout.approved"; checkout: Checkout }
    | { type: "checkout.expired"; checkout: Checkout }
    | { type: "payment.succeeded"; paymentId: string; orderId: string | null; amount: number; currency: string }
    | { type: "payment.refunded"; paymentId: string; amountRefunded: number; currency: string; fullyRefunded: boolean }
    | { type: "refund.updated"; refund: Refund }
    /** The processing fee of a payment can now be read (Stripe: the charge got its balance transaction). */
    | { type: "payment.fee_available"; paymentId: string; orderId: string | null }
    | ({ type: "dispute.opened" } & Dispute)
    | ({ type: "dispute.updated"; change: DisputeChange } & Dispute)
    /** A payout to a payout account; `accountId` names that account. */
    | { type: "payout.updated"; payout: Payout }
    | { type: "payout_account.updated"; account: PayoutAccount }
    /** Anything else the endpoint was sent; acknowledged and otherwise ignored. */
    | { type: "ignored"; providerType: string }
  );

export type PaymentEventType = PaymentEvent["type"];

export interface PaymentProvider {
  /** "stripe", "paypal": stored with each order so its events and refunds go to the same provider. */
  readonly name: string;

  createCheckout(request: CheckoutRequest): Promise<Checkout>;
  /** A customer for one Plenary user, under which cards are saved; providers without saved methods leave it out. */
  createCustomer?(request: { userId: string; email: string; name: string; idempotencyKey: string }): Promise<string>;
  retrieveCheckout(checkoutId: string, accountId?: string): Promise<Checkout>;
  /** Ends an open checkout (its seat hold ran out, the order was cancelled); a finished one is returned as it is. */
  expireCheckout(checkoutId: string, accountId?: string): Promise<Checkout>;
  /** Providers where the platform must capture an approved payment (PayPal) implement this; Stripe captures itself. */
  captureCheckout?(checkoutId: string): Promise<Checkout>;

  retrievePayment(paymentId: string, accountId?: string): Promise<Payment>;
  refund(request: RefundRequest): Promise<Refund>;

  /**
   * Verifies a webhook on its raw body (signature and age) and says what happened.
   * Throws AppError 400 `webhook_signature_invalid` for anything not signed by the provider.
   */
  parseWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): Promise<PaymentEvent>;

  createPayoutAccount(request: { organizationId: string; email: string; country?: string; idempotencyKey: string }): Promise<PayoutAccount>;
  /** A single-use link to the provider's onboarding form; it sends the organizer back to returnUrl (or refreshUrl when the link has expired). */
  createOnboardingLink(accountId: string, urls: { returnUrl: string; refreshUrl: string }): Promise<string>;
  retrievePayoutAccount(accountId: string): Promise<PayoutAccount>;
}
