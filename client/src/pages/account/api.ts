/** The accounts API: log-in, sign-up, e-mail links, the profile and its sessions. */
import { api } from '../../api/http.ts';

export type Account = {
  id: string;
  email: string;
  displayName: string;
  role: 'user' | 'admin';
  emailVerified: boolean;
  bio: string;
  avatarUrl: string | null;
  timeZone: string | null;
  language: string | null;
  interests: string[];
  notificationPrefs: Record<string, { email?: boolean; in_app?: boolean }>;
  hasPassword: boolean;
  banned: { at: string; reason: string | null } | null;
  createdAt: string;
};

export type ActiveSession = {
  id: string;
  device: string;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
};

export type ApiToken = { id: string; name: string; scopes: string[]; createdAt: string; lastUsedAt: string | null; expiresAt: string | null };
export type LinkedLogin = { provider: string; email: string | null; linkedAt: string };

export type OAuthProviderInfo = { id: string; name: string; startUrl: string };

/** Shortest password the server accepts. */
export const minPasswordLength = 10;

export const accountApi = {
  me: () => api.get<{ user: Account }>('/account'),
  logIn: (email: string, password: string) => api.post<{ user: Account }>('/auth/log-in', { email, password }),
  signUp: (input: { email: string; displayName: string; password: string }) => api.post<{ status: string }>('/auth/sign-up', input),
  verifyEmail: (token: string) => api.post<{ user: Account }>('/auth/verify-email', { token }),
  requestReset: (email: string) => api.post<{ message: string }>('/auth/request-password-reset', { email }),
  resetPassword: (token: string, password: string) => api.post<{ message: string }>('/auth/reset-password', { token, password }),
  logOut: () => api.post<void>('/auth/log-out', {}),
  logOutEverywhere: () => api.post<{ sessionsEnded: number }>('/auth/log-out-everywhere', {}),
  providers: () => api.get<{ providers: OAuthProviderInfo[] }>('/auth/oauth/providers'),
  updateProfile: (changes: Partial<Pick<Account, 'displayName' | 'bio' | 'timeZone' | 'language' | 'interests' | 'notificationPrefs'>>) =>
    api.patch<{ user: Account }>('/account', changes),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<{ otherSessionsEnded: number }>('/account/password', { currentPassword, newPassword }),
  sessions: () => api.get<{ sessions: ActiveSession[] }>('/account/sessions'),
  revokeSession: (id: string) => api.delete<void>(`/account/sessions/${id}`),
  resendVerification: () => api.post<void>('/account/resend-verification', {}),
  apiTokens: () => api.get<{ tokens: ApiToken[] }>('/account/api-tokens'),
  createApiToken: (name: string, scopes: string[]) => api.post<ApiToken & { token: string }>('/account/api-tokens', { name, scopes }),
  revokeApiToken: (id: string) => api.delete<void>(`/account/api-tokens/${id}`),
  linkedLogins: () => api.get<{ accounts: LinkedLogin[] }>('/account/oauth'),
  unlink: (provider: string) => api.delete<void>(`/account/oauth/${provider}`),
};

/** Uploads a picture as the request body; the server re-encodes it. */
export async function uploadAvatar(file: File): Promise<{ user: Account }> {
  const response = await fetch('/api/account/avatar', {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? `Upload failed (HTTP ${response.status})`);
  return body as { user: Account };
}
