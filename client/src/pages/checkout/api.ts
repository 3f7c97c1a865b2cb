/** The ticketing API as buyers use it: what is on sale, checkout, orders, tickets, the waitlist. */
import { api } from '../../api/http.ts';
import type { OrderView } from '../../../../server/ticketing/order-view.ts';

export type { OrderView };

export type Question = { id: string; label: string; kind: 'text' | 'choice' | 'multi_choice'; choices: string[]; required: boolean };
export type OfferedType = {
  id: string; name: string; description: string; price: number; currency: string; available: number;
  minPerOrder: number; maxPerOrder: number; unavailableReason: string | null;
};
export type Offer = {
  event: { id: string; slug: string; title: string; startsAt: string; endsAt: string; timeZone: string; currency: string; holdMinutes: number; vatRateBp: number; vatInclusive: boolean };
  paymentsEnabled: boolean;
  ticketTypes: OfferedType[];
  questions: Question[];
};
export type SeatInput = { ticketTypeId: string; name: string; email: string; answers: Record<string, string | string[]> };
export type CheckoutBody = { seats: SeatInput[]; promoCode?: string; accessCode?: string; waitlistOffer?: string };
export type Placed = { order: OrderView; checkoutUrl: string | null; orderPage?: string | null; /** The viewer bought it (not only the organizer reading it). */ buyer?: boolean };
export type GuestBuyer = { name: string; email: string };
export type GuestTicket = { id: string; status: string; statusReason: string; holderName: string; ticketTypeName: string; qrSvg: string | null };
export type MyTicket = {
  id: string; orderId: string; status: string; holderName: string; holderEmail: string; ticketTypeName: string; code: string | null; shortCode: string | null; qrSvg: string | null;
  event: { id: string; slug: string; title: string; startsAt: string; endsAt: string; timeZone: string };
};

export const checkoutApi = {
  offer: (slug: string, accessCode?: string) =>
    api.get<Offer>(`/events/${encodeURIComponent(slug)}/offer${accessCode ? `?${new URLSearchParams({ accessCode })}` : ''}`),
  checkout: (eventId: string, body: CheckoutBody, idempotencyKey: string) =>
    api.post<Placed>(`/events/${eventId}/checkout`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  guestCheckout: (eventId: string, body: CheckoutBody & { buyer: GuestBuyer }, idempotencyKey: string) =>
    api.post<Placed>(`/events/${eventId}/guest-checkout`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  order: (id: string) => api.get<Placed>(`/orders/${id}`),
  guestOrder: (id: string, key: string) => api.get<Placed & { tickets: GuestTicket[] }>(`/guest-orders/${id}?${new URLSearchParams({ key })}`),
  tickets: () => api.get<{ tickets: MyTicket[] }>('/tickets'),
  joinWaitlist: (ticketTypeId: string, accessCode?: string) =>
    api.post<{ entry: { id: string; status: string; position: number } }>(`/ticket-types/${ticketTypeId}/waitlist`, accessCode ? { accessCode } : {}),
};
