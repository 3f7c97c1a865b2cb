/** Payments: the provider interface, its Stripe implementation, and the choice between them. */
import type { Config } from "../config/index.ts";
import type { PaymentProvider } from "./provider.ts";
import { StripeProvider } from "./stripe-provider.ts";

export { PaymentProviderError, type PaymentFailureReason } from "./errors.ts";
export type * from "./provider.ts";
export { commissionFor } from "./commission.ts";
export { STRIPE_API_VERSION, StripeProvider } from "./stripe-provider.ts";
export { type PaymentEventHandler, registerPaymentWebhook } from "./webhook-route.ts";

/** The configured provider, or null when none is: only free tickets can then be sold. */
export function paymentProviderFrom(config: Pick<Config, "stripe">): PaymentProvider | null {
  return config.stripe.secret_key ? new StripeProvider(config.stripe) : null;
}
