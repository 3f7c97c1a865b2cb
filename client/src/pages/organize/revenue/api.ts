/** The revenue API: reports, an event's orders and refunds, receipts, commission rates. */
import type { Grouping, RevenueReport, Totals } from '../../../../../server/revenue/reports.ts';
import type { RefundResult } from '../../../../../server/revenue/refunds.ts';
import { api } from '../../../api/http.ts';

export type { Grouping, RevenueReport, RefundResult, Totals };
export type ReportQuery = { group: Grouping; from?: string; to?: string };

export type OrderSummary = {
  id: string;
  buyer_name: string;
  buyer_email: string;
  status: string;
  currency: string;
  total: number;
  refunded: number;
  provider: string;
  created_at: string;
  tickets: number;
  pending_refunds: number;
  dispute_status: 'open' | 'won' | 'lost' | null;
  /** null: bought by a guest, without an account. */
  user_id: string | null;
};

export type OrderRefunds = {
  order: { id: string; status: string; currency: string; total: number; refunded: number; buyerName: string; buyerEmail: string };
  remaining: number;
  tickets: { id: string; holder_name: string; holder_email: string; status: string; status_reason: string; ticket_type: string; worth: number }[];
  refunds: { id: string; amount: number; status: string; reason: string; ticket_ids: string[]; created_at: string; settled_at: string | null }[];
};

export type DisputeSummary = {
  id: string; orderId: string; buyer: { name: string; email: string }; amount: number; currency: string;
  /**
   * The payment provider's dispute fee, less any it gave back, per currency it stated it in:
   * the payout account's settlement currency, which may not be the dispute's. Empty: none.
   */
  fees: { amount: number; currency: string }[];
  status: string; reason: string; openedAt: string; updatedAt: string;
};

export type OrganizationCommission = { id: string; name: string; slug: string; commission_bp: number | null };
export type AdminRevenue = {
  report: RevenueReport;
  byOrganization: (Totals & { organizationId: string; name: string; currency: string })[];
  commission: { defaultBp: number; organizations: OrganizationCommission[] };
};

export function reportSearch(query: ReportQuery, format?: 'csv'): string {
  const params = new URLSearchParams({ group: query.group });
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  if (format) params.set('format', format);
  return params.toString();
}

export const revenueApi = {
  eventReport: (eventId: string, query: ReportQuery) => api.get<{ report: RevenueReport }>(`/events/${eventId}/revenue?${reportSearch(query)}`),
  organizationReport: (organizationId: string, query: ReportQuery) =>
    api.get<{ report: RevenueReport; events: { id: string; title: string }[] }>(`/organizations/${organizationId}/revenue?${reportSearch(query)}`),
  adminReport: (query: ReportQuery) => api.get<AdminRevenue>(`/admin/revenue?${reportSearch(query)}`),
  orders: (eventId: string, q: string) => api.get<{ orders: OrderSummary[] }>(`/events/${eventId}/revenue/orders?${new URLSearchParams(q ? { q } : {})}`),
  disputes: (eventId: string) => api.get<{ disputes: DisputeSummary[] }>(`/events/${eventId}/revenue/disputes`),
  orderRefunds: (orderId: string) => api.get<OrderRefunds>(`/orders/${orderId}/refunds`),
  refund: (orderId: string, body: { ticketIds?: string[]; amount?: number; reason: string }) => api.post<{ result: RefundResult }>(`/orders/${orderId}/refunds`, body),
  setDefaultCommission: (defaultBp: number) => api.put<{ defaultBp: number }>('/admin/commission', { defaultBp }),
  setOrganizationCommission: (organizationId: string, commissionBp: number | null) =>
    api.put<{ commissionBp: number | null }>(`/admin/organizations/${organizationId}/commission`, { commissionBp }),
};

/** Digits after the decimal point in a currency (2 for EUR, 0 for JPY). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units shown as money in the viewer's locale: 12 345 → "€123.45". */
export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(minor / 10 ** currencyDigits(currency));
}

/** A decimal typed by a person ("12.5") in minor units, or null when it is not an amount. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return null;
  const digits = currencyDigits(currency);
  const [whole, fraction = ''] = cleaned.split('.');
  if (fraction.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Basis points as a percentage: 250 → "2.5 %". */
export const percent = (bp: number) => `${(bp / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
