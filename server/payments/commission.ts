/**
 * The platform's commission on a payment: an admin-set rate in basis points (1/100 of a
 * percent) of an amount in minor units, rounded half up to a whole minor unit. One function,
 * so the application fee asked of Stripe and the commission row in the ledger always agree.
 */
export function commissionFor(amount: number, basisPoints: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`amount must be a non-negative integer of minor units, not ${amount}`);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) throw new RangeError(`commission must be 0–10000 basis points, not ${basisPoints}`);
  // Integer arithmetic: amount × basisPoints stays far below 2^53 for any real ticket order.
  const scaled = amount * basisPoints;
  return Math.floor(scaled / 10_000) + (scaled % 10_000 >= 5_000 ? 1 : 0);
}
