/**
 * What an order costs: each seat's price less its promo discount, VAT (included in prices or
 * added to them, at the event's rate) and the platform's commission on the total (the
 * organization's own rate when an admin set one, else the platform default: server/revenue).
 */
import { commissionFor } from "../payments/commission.ts";
import { type PromoCodeRow, seatDiscount } from "./promo-codes.ts";
import type { TicketTypeRow } from "./ticket-types.ts";

export type PricedSeat = { ticketTypeId: string; unitAmount: number; discount: number };
export type OrderPrice = { subtotal: number; discount: number; tax: number; total: number };

export function priceOrder(
  seats: { ticketTypeId: string }[],
  types: Map<string, TicketTypeRow>,
  promo: PromoCodeRow | null,
  vat: { rateBp: number; inclusive: boolean },
): { seats: PricedSeat[]; price: OrderPrice } {
  const priced = seats.map((s) => {
    const type = types.get(s.ticketTypeId)!;
    return { ticketTypeId: s.ticketTypeId, unitAmount: type.price, discount: promo ? seatDiscount(promo, type.id, type.price) : 0 };
  });
  const subtotal = priced.reduce((sum, s) => sum + s.unitAmount, 0);
  const discount = priced.reduce((sum, s) => sum + s.discount, 0);
  const net = subtotal - discount;
  const tax = vat.inclusive ? Math.round((net * vat.rateBp) / (10_000 + vat.rateBp)) : Math.round((net * vat.rateBp) / 10_000);
  const total = vat.inclusive ? net : net + tax;
  return { seats: priced, price: { subtotal, discount, tax, total } };
}

export { commissionFor };
export { commissionRateFor as commissionRate } from "../revenue/commission-settings.ts";
