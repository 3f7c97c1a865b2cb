/**
 * The webhook route on a real Fastify server, fed by the Stripe stand-in: verified events
 * reach the handler once each, duplicates are answered without handling twice, forged ones
 * get 400, and a handler failure makes Stripe retry.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StripeStandin } from "../../test/support/stripe-standin/index.ts";
import { configSchema } from "../config/index.ts";
import { AppError } from "../errors.ts";
import { type PaymentEvent, paymentProviderFrom } from "./index.ts";
import { registerPaymentWebhook } from "./webhook-route.ts";

let standin: StripeStandin;
let app: FastifyInstance;
// What the order flow would have done: each event id once.
const handled: PaymentEvent[] = [];
const failOnce = new Set<string>();

beforeAll(async () => {
  standin = await StripeStandin.start({ retryDelaysMs: [20, 20, 20] });
  const config = configSchema.parse({
    stripe: { secret_key: standin.apiKey, webhook_secret: standin.webhooks.secret, api_host: "127.0.0.1", api_port: standin.port, api_protocol: "http" },
  });
  app = Fastify({ logger: false });
  // The same error format as server/http/app.ts.
  app.setErrorHandler((error, _request, reply) =>
    error instanceof AppError ? reply.code(error.status).send({ error: error.toJSON() }) : reply.code(500).send({ error: { code: "internal" } }),
  );
  registerPaymentWebhook(app, {
    provider: paymentProviderFrom(config)!,
    action: "payments.webhook",
    handle: async (event) => {
      if (failOnce.delete(event.type)) throw new Error("database busy");
      if (handled.some((e) => e.id === event.id)) return "duplicate";
      handled.push(event);
      return "handled";
    },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address() as { port: number };
  standin.webhooks.url = `http://127.0.0.1:${address.port}/api/payments/stripe/webhook`;
});

afterAll(async () => {
  await standin.close();
  await app.close();
});

async function paidCheckout() {
  const session = await standin.client().checkout.sessions.create({
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 4_000, product_data: { name: "Pass" } } }],
    success_url: "http://127.0.0.1:1/done",
    metadata: { order_id: "order-w" },
  });
  standin.pay(session.id);
  await standin.webhooks.idle();
  return session.id;
}

describe("payment webhook route", () => {
  it("hands verified events to the order flow once, and answers a duplicate without handling it again", async () => {
    const sessionId = await paidCheckout();
    const completed = standin.event("checkout.session.completed", sessionId)!;
    expect(handled.find((e) => e.id === completed.id)).toMatchObject({ type: "checkout.completed", checkout: { orderId: "order-w", state: "paid" } });
    const again = await standin.webhooks.redeliver(completed);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.responseBody)).toEqual({ received: true, outcome: "duplicate" });
    expect(handled.filter((e) => e.id === completed.id)).toHaveLength(1);
  });

  it("answers 400 to a forged or replayed webhook and hands nothing over", async () => {
    const before = handled.length;
    const event = standin.events.at(-1)!;
    for (const kind of ["wrong-secret", "tampered-body", "stale-timestamp", "no-signature"] as const) {
      const delivery = await standin.webhooks.deliverForged(event, kind);
      expect(delivery.status, kind).toBe(400);
      expect(JSON.parse(delivery.responseBody).error.code).toBe("webhook_signature_invalid");
    }
    expect(handled).toHaveLength(before);
  });

  it("answers 500 when handling fails, so the provider delivers again", async () => {
    failOnce.add("checkout.completed");
    const sessionId = await paidCheckout();
    const completed = standin.event("checkout.session.completed", sessionId)!;
    expect(standin.webhooks.deliveries.filter((d) => d.eventId === completed.id).map((d) => d.status)).toEqual([500, 200]);
    expect(handled.filter((e) => e.id === completed.id)).toHaveLength(1);
  });

  it("takes events in whatever order they come", async () => {
    standin.webhooks.hold();
    const session = await standin.client().checkout.sessions.create({
      mode: "payment",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 4_000, product_data: { name: "Pass" } } }],
      success_url: "http://127.0.0.1:1/done",
    });
    standin.pay(session.id);
    await standin.webhooks.release("reversed");
    const types = handled.slice(-2).map((e) => e.type);
    expect(types).toEqual(["checkout.completed", "payment.succeeded"]);
  });
});
