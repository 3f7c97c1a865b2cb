/** The sponsors API and the live overlay's realtime messages, added to the shared client's typed maps. */
import { api } from '../../api/http.ts';
import type { OverlayState, OverlayStyle } from '../../../../server/sponsors/overlay.ts';
import type { PublicSponsor, PublicTier } from '../../../../server/sponsors/queries.ts';

export type { OverlayState, OverlayStyle, PublicSponsor, PublicTier };
export type Placement = 'event_page' | 'lobby' | 'room' | 'overlay';
export type LogoSize = 'small' | 'medium' | 'large';
export type Tier = { id: string; name: string; position: number; logoSize: LogoSize };
export type SponsorInput = { name: string; description: string; logoUrl: string; bannerUrl: string; link: string; tierId: string | null; position: number };
export type SponsorStat = { id: string; name: string; impressions: number; clicks: number; clickThroughRate: number | null; byPlacement: Record<string, { impressions: number; clicks: number }> };

export type OverlayCommand =
  | { mode: 'show'; sponsorId: string; style: OverlayStyle; durationSeconds?: number }
  | { mode: 'schedule'; sponsorId: string; style: OverlayStyle; at: string; durationSeconds?: number }
  | { mode: 'rotate'; sponsorIds: string[]; style: OverlayStyle; everySeconds: number }
  | { mode: 'hide' };

declare module '../../api/realtime.ts' {
  interface RealtimePushes {
    'sponsors.overlay': { t: 'sponsors.overlay'; overlay: OverlayState };
  }
  interface RealtimeRequests {
    'sponsors.overlay.watch': { payload: { sessionId: string }; reply: { overlay: OverlayState } };
    'sponsors.overlay.control': { payload: { sessionId: string; command: OverlayCommand }; reply: { overlay: OverlayState } };
  }
}

/** An invite-only event's access code, as its page took it, for the calls its page makes. */
const codeParam = (code?: string) => (code ? `code=${encodeURIComponent(code)}` : '');

/** Where a sponsor's link goes: through the counting redirect. */
export const visitUrl = (sponsorId: string, placement: Placement, code?: string) =>
  `/api/sponsors/${sponsorId}/visit?placement=${placement}${code ? `&${codeParam(code)}` : ''}`;

export const sponsorsApi = {
  list: (eventId: string, code?: string) => api.get<{ tiers: PublicTier[] }>(`/events/${eventId}/sponsors${code ? `?${codeParam(code)}` : ''}`),
  impressions: (sponsorIds: string[], placement: Placement, code?: string) =>
    api.post<{ counted: number }>(`/sponsors/impressions${code ? `?${codeParam(code)}` : ''}`, { sponsorIds, placement }),
  createTier: (eventId: string, tier: { name: string; logoSize: LogoSize; position?: number }) => api.post<{ tier: Tier }>(`/organize/events/${eventId}/sponsor-tiers`, tier),
  deleteTier: (tierId: string) => api.delete<void>(`/organize/sponsor-tiers/${tierId}`),
  create: (eventId: string, sponsor: Partial<SponsorInput> & { name: string }) => api.post<{ sponsor: PublicSponsor }>(`/organize/events/${eventId}/sponsors`, sponsor),
  update: (sponsorId: string, sponsor: Partial<SponsorInput>) => api.patch<{ sponsor: PublicSponsor }>(`/organize/sponsors/${sponsorId}`, sponsor),
  remove: (sponsorId: string) => api.delete<void>(`/organize/sponsors/${sponsorId}`),
  stats: (eventId: string) => api.get<{ sponsors: SponsorStat[] }>(`/organize/events/${eventId}/sponsors/stats`),
};
