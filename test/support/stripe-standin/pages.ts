/**
 * The stand-in's hosted pages: Stripe Checkout (amount, line items, a Pay button that pays
 * and goes back to success_url) and Connect onboarding (a button that finishes it), so a
 * browser test can walk a paid checkout or an organizer's payout setup end to end.
 */
import type { StripeObject } from "./store.ts";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function formatAmount(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(amount / 10 ** digits);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
table{width:100%;border-collapse:collapse}td,th{padding:.3rem 0;text-align:left}td.amount{text-align:right}
button{font-size:1.1rem;padding:.6rem 1.4rem;background:#635bff;color:#fff;border:0;border-radius:6px;width:100%}</style>
</head><body>${body}</body></html>`;
}

export function checkoutPage(session: StripeObject, items: StripeObject[]): string {
  const id = escape(session.id);
  if (session.status !== "open") {
    return page("Checkout", `<h1>Checkout</h1><p id="status">This checkout session is ${escape(String(session.status))}.</p>`);
  }
  const currency = String(session.currency ?? "usd");
  const rows = items
    .map((item) => `<tr><td>${escape(String(item.description))} × ${item.quantity}</td><td class="amount">${formatAmount(item.amount_total as number, currency)}</td></tr>`)
    .join("");
  const total = session.mode === "payment" ? formatAmount(session.amount_total as number, currency) : "";
  const cancel = session.cancel_url ? `<p><a id="cancel" href="${escape(String(session.cancel_url))}">Cancel and go back</a></p>` : "";
  return page(
    "Checkout",
    `<h1>Checkout</h1>
<p>Test mode: card 4242 4242 4242 4242 is used.</p>
<table>${rows}<tr><th>Total</th><td class="amount" id="total">${total}</td></tr></table>
<form method="post" action="/checkout/${id}/pay">
<label>E-mail <input name="email" type="email" value="${escape(String(session.customer_email ?? "buyer@example.com"))}"></label>
<p><button id="pay" type="submit">${session.mode === "payment" ? `Pay ${total}` : "Save card"}</button></p>
</form>${cancel}`,
  );
}

export function onboardingPage(account: StripeObject): string {
  const id = escape(account.id);
  return page(
    "Connect onboarding",
    `<h1>Set up payouts</h1><p>Test mode onboarding for ${id}.</p>
<form method="post" action="/connect/onboarding/${id}"><button id="finish" type="submit">Finish onboarding</button></form>`,
  );
}
