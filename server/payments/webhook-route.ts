/**
 * The HTTP endpoint a payment provider posts its webhooks to. The body is kept as the raw
 * bytes (a signature is over the bytes as sent; re-serialized JSON would not verify), checked
 * by the provider, and handed to the order flow as a PaymentEvent. The answer tells the
 * provider whether to retry: 2xx once the event is handled (or was handled before), 400 for
 * a bad signature (retrying cannot help), 5xx when handling failed (the provider retries).
 */
import type { FastifyInstance } from "fastify";
import { PaymentProviderError } from "./errors.ts";
import type { PaymentEvent, PaymentProvider } from "./provider.ts";

/**
 * What the order flow does with a verified event. It must be idempotent by `event.id`
 * (providers deliver at least once) and must not assume events arrive in order.
 */
export type PaymentEventHandler = (event: PaymentEvent) => Promise<"handled" | "duplicate">;

export type WebhookRouteOptions = {
  provider: PaymentProvider;
  /** Default `/api/payments/<provider name>/webhook`. */
  path?: string;
  /** The policy's action name for the route (it is public: the signature is the authentication). */
  action: string;
  handle: PaymentEventHandler;
  /** Largest webhook body accepted; Stripe's events are far below the default 256 KiB. */
  bodyLimitBytes?: number;
};

export function registerPaymentWebhook(app: FastifyInstance, options: WebhookRouteOptions): void {
  const url = options.path ?? `/api/payments/${options.provider.name}/webhook`;
  // An encapsulated scope, so that only this route sees JSON as raw bytes.
  void app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.post(url, { config: { action: options.action }, bodyLimit: options.bodyLimitBytes ?? 262_144 }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      let event: PaymentEvent;
      try {
        event = await options.provider.parseWebhook(rawBody, request.headers);
      } catch (error) {
        if (error instanceof PaymentProviderError) request.log.warn({ provider: error.provider, detail: error.detail, ip: request.ip }, "payment webhook refused");
        throw error;
      }
      const outcome = await options.handle(event);
      request.log.info({ provider: event.provider, eventId: event.id, type: event.type, outcome }, "payment webhook");
      return reply.code(200).send({ received: true, outcome });
    });
  });
}
