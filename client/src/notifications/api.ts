/** The inbox API and its live push. */
import { api } from '../api/http.ts';

export type InboxNotification = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
};

declare module '../api/realtime.ts' {
  interface RealtimePushes {
    'notify.new': { t: 'notify.new'; notification: InboxNotification; unread: number };
  }
  interface RealtimeRequests {
    'notify.subscribe': { payload: Record<string, never>; reply: { unread: number } };
  }
}

export const notificationsApi = {
  list: (before?: string) =>
    api.get<{ notifications: InboxNotification[]; unread: number }>(`/notifications?${new URLSearchParams(before ? { before } : {})}`),
  markRead: (ids: string[]) => api.post<{ unread: number }>('/notifications/read', { ids }),
  markAllRead: () => api.post<{ unread: number }>('/notifications/read', { all: true }),
  unsubscribe: (token: string) => api.post<{ kind: string; email: false }>('/notifications/unsubscribe', { token }),
};
