/**
 * Seats that a free order's cancellation gave back, offered to the ticket type's waitlist by
 * the order flow's own functions (server/ticketing/waitlist.ts), mails sent after commit.
 * Paid refunds are offered by the webhook dispatcher from `applyRefundEvent`'s answer.
 */
import type { TicketingContext } from "../ticketing/context.ts";
import { offerReleasedSeats, sendOfferMails, type WaitlistOffer } from "../ticketing/waitlist.ts";

export function offerSeatsToWaitlist(ctx: TicketingContext, fallbackBase: () => string): (ticketTypeIds: string[]) => Promise<void> {
  return async (ticketTypeIds) => {
    const offers = await ctx.db.transaction().execute(async (trx) => {
      const made: WaitlistOffer[] = [];
      for (const typeId of ticketTypeIds) made.push(...(await offerReleasedSeats(trx, ctx, typeId)));
      return made;
    });
    await sendOfferMails(ctx, offers, fallbackBase());
  };
}
