/**
 * Failures of a payment provider as Plenary reports them: the provider's own message stays
 * in `detail` for the log, and the client gets a message it can act on.
 */
import { AppError } from "../errors.ts";

export type PaymentFailureReason =
  /** The provider could not be reached or failed on its side; trying later may work. */
  | "unavailable"
  /** The provider refused the request (a bug on our side, or a state it does not allow). */
  | "rejected"
  | "not_found"
  /** A webhook not signed by the provider, or signed too long ago. */
  | "signature_invalid";

export class PaymentProviderError extends AppError {
  override name = "PaymentProviderError";
  readonly reason: PaymentFailureReason;
  readonly provider: string;
  /** The provider's message and code, for the log; never shown to the client. */
  readonly detail: string;

  private constructor(reason: PaymentFailureReason, provider: string, status: number, code: string, message: string, detail: string) {
    super(code, status, message);
    this.reason = reason;
    this.provider = provider;
    this.detail = detail;
  }

  static unavailable(provider: string, detail: string): PaymentProviderError {
    return new PaymentProviderError("unavailable", provider, 503, "payment_provider_unavailable", "The payment service cannot be reached right now; try again in a moment", detail);
  }
  static rejected(provider: string, detail: string): PaymentProviderError {
    return new PaymentProviderError("rejected", provider, 502, "payment_provider_rejected", "The payment service refused this request", detail);
  }
  static unknownToProvider(provider: string, detail: string): PaymentProviderError {
    return new PaymentProviderError("not_found", provider, 404, "not_found", "The payment service does not know this payment", detail);
  }
  static signatureInvalid(provider: string, detail: string): PaymentProviderError {
    return new PaymentProviderError("signature_invalid", provider, 400, "webhook_signature_invalid", "The webhook signature is not valid", detail);
  }
}
