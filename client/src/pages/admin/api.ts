/** The admin API: people, the audit log, the mail outbox. */
import { api } from '../../api/http.ts';
import type { Account } from '../account/api.ts';

export type AuditEntry = {
  id: string;
  at: string;
  actor: { id: string | null; kind: string };
  action: string;
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  ip: string;
};

export type OutboxMessage = {
  id: string;
  createdAt: string;
  to: string;
  template: string;
  subject: string;
  text: string;
  status: 'stored' | 'sending' | 'sent' | 'failed';
  sentAt: string | null;
  error: string | null;
};

export const adminApi = {
  users: (q: string) => api.get<{ users: Account[]; total: number }>(`/admin/users?${new URLSearchParams(q ? { q } : {})}`),
  setRole: (id: string, role: 'user' | 'admin') => api.post<{ user: Account }>(`/admin/users/${id}/role`, { role }),
  ban: (id: string, reason: string) => api.post<{ user: Account; socketsClosed: number }>(`/admin/users/${id}/ban`, { reason }),
  unban: (id: string) => api.post<{ user: Account }>(`/admin/users/${id}/unban`, {}),
  forceReset: (id: string) => api.post<{ sessionsEnded: number }>(`/admin/users/${id}/force-password-reset`, {}),
  audit: () => api.get<{ entries: AuditEntry[] }>('/admin/audit?limit=100'),
  outbox: () => api.get<{ messages: OutboxMessage[] }>('/admin/outbox?limit=100'),
};
