/**
 * Which currency money settles in, as Stripe decides it: a charge settles with its settlement
 * merchant (the connected account on a direct charge, the `on_behalf_of` account on a
 * destination charge, else the platform); when that account does not settle in the charge's
 * (presentment) currency, Stripe converts the charge into the account's default currency, and
 * the balance transaction states amount, fee, fee_details and net in that currency with the
 * `exchange_rate` used (amount in the charge's currency × exchange_rate = amount in the
 * settlement currency). Refunds and disputes of the charge move the same balance, so theirs are
 * converted the same way.
 *
 * By default every account settles in every currency (no conversion, exchange_rate null), as
 * with multi-currency settlement; `settleIn` restricts an account to one currency, converting
 * at the fixed rates the test stated.
 */
import type { StandinContext } from "./store.ts";

/** An account's settlement: the currency and the fixed rates the stand-in converts at. */
export type SettlementSettings = {
  /** Settlement currency by account id ("" for the platform); an account not listed settles in every currency. */
  currencies: Map<string, string>;
  /** Fixed exchange rates by "from:to" ("eur:usd": 1.1 makes 10.00 EUR settle as 11.00 USD). */
  rates: Record<string, number>;
};

/** How one charge's money lands in its merchant's balance. */
export type Settlement = {
  currency: string;
  /** Null when the charge's currency is the settlement currency. */
  exchangeRate: number | null;
  /** Minor units of the charge's currency in minor units of the settlement currency (rounded half away from zero). */
  convert(amount: number): number;
};

const digits = (currency: string) => new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** Where a charge in `currency` made for `merchant` (a connected account, or null: the platform) settles. */
export function settlementOf(ctx: StandinContext, currency: string, merchant: string | null): Settlement {
  const target = ctx.settlement.currencies.get(merchant ?? "") ?? currency;
  if (target === currency) return { currency, exchangeRate: null, convert: (amount) => amount };
  const rate = ctx.settlement.rates[`${currency}:${target}`];
  if (rate === undefined) throw new Error(`the stand-in has no exchange rate from ${currency} to ${target}: state it in exchangeRates ("${currency}:${target}")`);
  // The rate is between major units; minor units differ for zero-decimal currencies (JPY).
  const scale = 10 ** (digits(target) - digits(currency));
  return { currency: target, exchangeRate: rate, convert: (amount) => Math.sign(amount) * Math.round(Math.abs(amount) * rate * scale) };
}

/** The settlement merchant of a charge: its connected account on a direct charge, else its `on_behalf_of`, else the platform. */
export function merchantOf(account: string | null, onBehalfOf: unknown): string | null {
  return account ?? (typeof onBehalfOf === "string" ? onBehalfOf : null);
}
