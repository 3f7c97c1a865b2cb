/**
 * An order's receipt, laid out to print (or save as PDF from the print dialog): the seller's
 * legal details, the buyer, one line per seat, discount, the VAT line and the total, and the
 * refunds since. Below it, off the printout, the attendee's own cancellation when allowed.
 * A guest's link carries their order key (?key=…), which opens it without an account.
 */
import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { money, percent } from '../organize/revenue/api.ts';
import { type OrderRef, orderHref, ordersApi } from './api.ts';
import { CancelOrderCard } from './receipt-cancellation.tsx';
import './receipt.css';

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'long' }) : '');

export function ReceiptPage() {
  const params = useParams<{ id: string }>();
  const [search] = useSearchParams<{ key?: string }>();
  const ref = (): OrderRef => ({ id: params.id, key: search.key });
  const [data, { refetch }] = createResource(() => ({ ...ref() }), (order) => ordersApi.receipt(order));
  return (
    <section class="receipt-page">
      <Show when={data.error}>
        <div class="notice notice--error" role="alert"><p>{(data.error as Error).message}</p></div>
      </Show>
      <Show when={data()?.receipt}>
        {(r) => {
          const m = (minor: number) => money(minor, r().order.currency);
          const title = () => (r().seller.vatId ? 'Invoice' : 'Receipt');
          return (
            <>
              <div class="receipt-actions">
                <button type="button" class="button button--primary" onClick={() => window.print()}>Print or save as PDF</button>
                <A class="button" href={orderHref(ref())}>Back to the order</A>
                <Show when={!search.key}><A class="button" href="/tickets">My tickets</A></Show>
              </div>
              <article class="receipt" aria-labelledby="receipt-title">
                <header class="receipt__head">
                  <div>
                    <h1 id="receipt-title" class="receipt__title">{title()}</h1>
                    <p>No. <span data-receipt-number>{r().number}</span> · {day(r().order.paidAt ?? r().order.createdAt)}</p>
                  </div>
                  <address class="receipt__seller">
                    <strong>{r().seller.name}</strong>
                    <span class="receipt__lines">{r().seller.legalAddress}</span>
                    <Show when={r().seller.vatId}><span>VAT ID {r().seller.vatId}</span></Show>
                    <Show when={r().seller.contactEmail}><span>{r().seller.contactEmail}</span></Show>
                  </address>
                </header>
                <p class="receipt__buyer">Billed to <strong>{r().buyer.name}</strong> ({r().buyer.email})</p>
                <p>For <strong>{r().event.title}</strong>, {day(r().event.startsAt)} ({r().event.timeZone})</p>
                <table class="receipt__table">
                  <caption class="visually-hidden">Items</caption>
                  <thead>
                    <tr><th scope="col">Item</th><th scope="col">Attendee</th><th scope="col" class="num">Price</th><th scope="col" class="num">Discount</th><th scope="col" class="num">Amount</th></tr>
                  </thead>
                  <tbody>
                    <For each={r().lines}>
                      {(line) => (
                        <tr>
                          <td>{line.description}<Show when={line.status !== 'valid'}> ({line.status})</Show></td>
                          <td>{line.holder}</td>
                          <td class="num">{m(line.unitAmount)}</td>
                          <td class="num">{line.discount ? `−${m(line.discount)}` : ''}</td>
                          <td class="num">{m(line.amount)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                  <tfoot>
                    <tr><td class="receipt__gap" /><th scope="row" colspan="3">Subtotal</th><td class="num">{m(r().subtotal - r().discount)}</td></tr>
                    <Show when={r().tax.rateBp > 0}>
                      <tr data-tax-line>
                        <td class="receipt__gap" />
                        <th scope="row" colspan="3">VAT {percent(r().tax.rateBp)} {r().tax.inclusive ? '(included)' : ''}</th>
                        <td class="num">{m(r().tax.amount)}</td>
                      </tr>
                    </Show>
                    <tr class="receipt__total"><td class="receipt__gap" /><th scope="row" colspan="3">Total paid</th><td class="num" data-total>{m(r().total)}</td></tr>
                    <For each={r().refunds}>
                      {(refund) => (
                        <tr><td class="receipt__gap" /><th scope="row" colspan="3">Refunded {day(refund.settledAt)} — {refund.reason}</th><td class="num">−{m(refund.amount)}</td></tr>
                      )}
                    </For>
                  </tfoot>
                </table>
                <p class="receipt__foot">Order {r().order.id}</p>
              </article>
              <CancelOrderCard order={ref()} onCancelled={() => void refetch()} />
            </>
          );
        }}
      </Show>
    </section>
  );
}
