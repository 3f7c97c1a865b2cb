/**
 * How much of an order each ticket is worth when it is refunded on its own: the order's total
 * (discounts taken, VAT added when exclusive) split over its seats in proportion to what each
 * seat cost, by the largest-remainder method so that the shares always add up to the total.
 */
import { commissionFor } from "../payments/commission.ts";

export type SeatPrice = { ticketId: string; net: number };

/** Each ticket's share of `total`, in minor units, summing exactly to `total`. */
export function ticketShares(total: number, seats: SeatPrice[]): Map<string, number> {
  const shares = new Map<string, number>();
  const sum = seats.reduce((s, seat) => s + seat.net, 0);
  if (seats.length === 0) return shares;
  // Free seats in a paid order (or an all-free order) split evenly.
  const weights = sum > 0 ? seats.map((s) => s.net) : seats.map(() => 1);
  const weightSum = sum > 0 ? sum : seats.length;
  const exact = weights.map((w) => (total * w) / weightSum);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - floors[i] })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  seats.forEach((seat, i) => shares.set(seat.ticketId, floors[i]));
  return shares;
}

/** The attendee's cancellation fee: basis points of the refundable amount, rounded half up. */
export function cancellationFee(refundable: number, feeBasisPoints: number): number {
  return commissionFor(refundable, feeBasisPoints);
}

/** VAT contained in (inclusive) or added to (exclusive) a net amount, rounded half up. */
export function vatOf(amount: number, rateBasisPoints: number, inclusive: boolean): number {
  if (rateBasisPoints <= 0) return 0;
  if (!inclusive) return commissionFor(amount, rateBasisPoints);
  // Inclusive: amount × rate / (1 + rate), in integers.
  const scaled = amount * rateBasisPoints;
  const divisor = 10_000 + rateBasisPoints;
  return Math.floor(scaled / divisor) + ((scaled % divisor) * 2 >= divisor ? 1 : 0);
}
