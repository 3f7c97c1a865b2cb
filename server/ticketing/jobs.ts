/**
 * Durable jobs of the order flow: a checkout's seat hold running out, a waitlist offer
 * lapsing, the confirmation mail of a completed order, and the buyer's mail about a settled refund. Each is enqueued in the
 * transaction that makes it necessary, keyed so it exists once.
 */
import { z } from "zod";
import { sendRefundSettledMail } from "../revenue/refund-mail.ts";
import { JOB_REFUND_SETTLED_MAIL } from "../revenue/settlement.ts";
import { sendConfirmation } from "../tickets/confirmation.ts";
import { type TicketingContext } from "./context.ts";
import { JOB_CONFIRMATION, JOB_HOLD_EXPIRY, JOB_OFFER_EXPIRY } from "./fulfil.ts";
import { endPendingCheckout } from "./pending.ts";
import { endOffer, sendOfferMails, type WaitlistOffer } from "./waitlist.ts";

const orderPayload = z.object({ orderId: z.uuid() });

export function defineTicketingJobs(ctx: TicketingContext, fallbackBase: () => string) {
  const { db, jobs } = ctx;

  jobs.define(JOB_HOLD_EXPIRY, {
    schema: orderPayload,
    async handle({ orderId }, job) {
      const order = await db.selectFrom("orders").select(["status", "checkout_id"]).where("id", "=", orderId).executeTakeFirst();
      if (!order || order.status !== "pending") return;
      const outcome = await endPendingCheckout(ctx, { id: orderId, checkout_id: order.checkout_id }, "expired", fallbackBase());
      if (outcome === "ended") job.log.info({ orderId }, "checkout hold expired; seats released");
    },
  });

  jobs.define(JOB_OFFER_EXPIRY, {
    schema: z.object({ entryId: z.uuid() }),
    async handle({ entryId }) {
      const offers: WaitlistOffer[] = await db.transaction().execute(async (trx) => {
        const entry = await trx.selectFrom("waitlist_entries").select(["status", "offer_expires_at"]).where("id", "=", entryId).executeTakeFirst();
        if (!entry || entry.status !== "offered" || (entry.offer_expires_at ?? "") > new Date().toISOString()) return [];
        return endOffer(trx, ctx, entryId, "expired");
      });
      await sendOfferMails(ctx, offers, fallbackBase());
    },
  });

  jobs.define(JOB_CONFIRMATION, {
    schema: orderPayload,
    handle: ({ orderId }) => sendConfirmation(ctx, orderId, fallbackBase()),
  });

  jobs.define(JOB_REFUND_SETTLED_MAIL, {
    schema: z.object({ refundId: z.uuid() }),
    handle: ({ refundId }) => sendRefundSettledMail(ctx, refundId, fallbackBase()),
  });
}
