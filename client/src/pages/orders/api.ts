/**
 * What a buyer does with their own order: the receipt, the cancellation quote and cancel, and
 * giving up a pending checkout. An account holder's requests go to /api/orders; a guest's to
 * /api/guest-orders with the key of their order link.
 */
import type { Receipt } from '../../../../server/revenue/receipts.ts';
import type { CancellationQuote } from '../../../../server/revenue/self-service.ts';
import type { OrderView } from '../../../../server/ticketing/order-view.ts';
import { api } from '../../api/http.ts';

export type { CancellationQuote, Receipt };

/** An order as its buyer reaches it: by id, and for a guest the key from the link. */
export type OrderRef = { id: string; key?: string };

const query = (key: string) => `?${new URLSearchParams({ key })}`;

/** A page of this order, keeping the guest's key so the next page opens too. */
export const orderHref = (ref: OrderRef, page = '') => `/orders/${ref.id}${page}${ref.key ? query(ref.key) : ''}`;

export const ordersApi = {
  receipt: (ref: OrderRef) =>
    api.get<{ receipt: Receipt }>(ref.key ? `/guest-orders/${ref.id}/receipt${query(ref.key)}` : `/orders/${ref.id}/receipt`),
  cancellation: (ref: OrderRef) =>
    api.get<{ quote: CancellationQuote }>(ref.key ? `/guest-orders/${ref.id}/cancellation${query(ref.key)}` : `/orders/${ref.id}/cancellation`),
  cancel: (ref: OrderRef) =>
    ref.key ? api.post<{ quote: CancellationQuote }>(`/guest-orders/${ref.id}/cancel`, { key: ref.key }) : api.post<{ quote: CancellationQuote }>(`/orders/${ref.id}/cancel`, {}),
  abandon: (ref: OrderRef) =>
    ref.key ? api.post<{ order: OrderView }>(`/guest-orders/${ref.id}/abandon`, { key: ref.key }) : api.post<{ order: OrderView }>(`/orders/${ref.id}/abandon`, {}),
};
