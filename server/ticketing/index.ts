/**
 * Ticketing: ticket types, promo codes, questions, checkout, orders, the waitlist, the
 * payment webhook and the jobs behind holds, offers and confirmation mails.
 */
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.ts";
import { registerPaymentWebhook } from "../payments/webhook-route.ts";
import { ticketRoutes } from "../tickets/routes.ts";
import { checkoutRoutes } from "./checkout.ts";
import type { TicketingContext } from "./context.ts";
import { defineTicketingJobs } from "./jobs.ts";
import { offerRoutes } from "./offer.ts";
import { orderRoutes } from "./orders.ts";
import { paymentEventHandler } from "./payment-events.ts";
import { promoCodeRoutes } from "./promo-codes.ts";
import { questionRoutes } from "./questions.ts";
import { ticketTypeRoutes } from "./ticket-types.ts";
import { waitlistRoutes } from "./waitlist.ts";

export type { TicketingContext } from "./context.ts";

/** The route Stripe posts to; it answers 404 while no provider is configured. */
export const STRIPE_WEBHOOK_PATH = "/api/payments/stripe/webhook";

/** Registers routes and job kinds; `localUrl` is the listen address, for links when no public URL is set. */
export function registerTicketing(app: FastifyInstance, ctx: TicketingContext, localUrl: () => string): void {
  ticketTypeRoutes(app, ctx);
  promoCodeRoutes(app, ctx);
  questionRoutes(app, ctx);
  offerRoutes(app, ctx);
  checkoutRoutes(app, ctx);
  orderRoutes(app, ctx);
  waitlistRoutes(app, ctx);
  ticketRoutes(app, ctx);
  defineTicketingJobs(ctx, localUrl);
  if (ctx.provider) {
    registerPaymentWebhook(app, { provider: ctx.provider, path: STRIPE_WEBHOOK_PATH, action: "payments.webhook", handle: paymentEventHandler(ctx, localUrl) });
  } else {
    app.post(STRIPE_WEBHOOK_PATH, { config: { action: "payments.webhook" } }, async () => {
      throw AppError.notFound("Payments are not configured on this server");
    });
  }
}
