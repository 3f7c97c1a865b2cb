/** The organizer's ticketing API: ticket types, promo codes, registration questions, orders. */
import { api } from '../../../api/http.ts';
import type { TicketTypeOut } from '../../../../../server/ticketing/ticket-types.ts';
import type { Question } from '../../checkout/api.ts';

export type TicketType = TicketTypeOut;
export type PromoCode = { id: string; code: string; kind: 'percent' | 'amount'; value: number; maxUses: number | null; used: number; validFrom: string | null; validUntil: string | null; ticketTypeIds: string[] | null };
export type OrderRow = { id: string; status: string; buyer: { name: string; email: string }; total: number; discount: number; currency: string; seats: number; createdAt: string; paidAt: string | null };

export type TicketTypeInput = {
  name: string; description: string; price: number; quantity: number; minPerOrder: number; maxPerOrder: number; hidden: boolean;
  /** Absent keeps the type's code, null removes it. */
  accessCode?: string | null; saleStartsAt: string | null; saleEndsAt: string | null; sessionIds?: string[]; position?: number;
};

export const ticketingApi = {
  types: (eventId: string) => api.get<{ ticketTypes: TicketType[] }>(`/events/${eventId}/ticket-types`),
  createType: (eventId: string, input: TicketTypeInput) => api.post<{ ticketType: TicketType }>(`/events/${eventId}/ticket-types`, input),
  /** Sends only what changed: fields left out keep their values. */
  updateType: (id: string, changes: Partial<TicketTypeInput>) => api.patch<{ ticketType: TicketType }>(`/ticket-types/${id}`, changes),
  deleteType: (id: string) => api.delete<void>(`/ticket-types/${id}`),
  promoCodes: (eventId: string) => api.get<{ promoCodes: PromoCode[] }>(`/events/${eventId}/promo-codes`),
  createPromo: (eventId: string, input: { code: string; kind: 'percent' | 'amount'; value: number; maxUses: number | null }) => api.post<{ promoCode: PromoCode }>(`/events/${eventId}/promo-codes`, input),
  deletePromo: (id: string) => api.delete<void>(`/promo-codes/${id}`),
  questions: (eventId: string) => api.get<{ questions: Question[] }>(`/events/${eventId}/registration-questions`),
  createQuestion: (eventId: string, input: { label: string; kind: Question['kind']; choices: string[]; required: boolean }) => api.post<{ question: Question }>(`/events/${eventId}/registration-questions`, input),
  deleteQuestion: (id: string) => api.delete<void>(`/registration-questions/${id}`),
  orders: (eventId: string) => api.get<{ orders: OrderRow[] }>(`/events/${eventId}/orders`),
};

/** "12.50" → 1250 for two-decimal currencies (the organizer types major units). */
export function toMinor(text: string, currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? Math.round(value * 10 ** digits) : Number.NaN;
}
