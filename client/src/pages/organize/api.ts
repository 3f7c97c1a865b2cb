/** The organizer API: organizations' settings, events, agenda, speakers, team, approval, dashboard. */
import { api } from '../../api/http.ts';

export type TeamRole = 'owner' | 'co_host' | 'moderator' | 'check_in_staff';
export type EventStatus = 'draft' | 'submitted' | 'changes_requested' | 'approved' | 'rejected' | 'cancelled';
export type Visibility = 'public' | 'unlisted' | 'invite_only';

export type OrganizerEvent = {
  id: string; organizationId: string; slug: string; title: string; summary: string; description: string; descriptionHtml: string;
  coverUrl: string | null; category: string; tags: string[]; language: string; timeZone: string; startsAt: string; endsAt: string;
  venueType: 'online' | 'hybrid' | 'in_person'; venueAddress: string; capacity: number | null; currency: string; visibility: Visibility;
  status: EventStatus; reviewComment: string; cancelReason: string; hasAccessCode: boolean; privateMessages: boolean;
  vatRateBp: number; vatInclusive: boolean; cancelDeadlineHours: number | null; cancelFeeBp: number; reminderOffsets: number[]; holdMinutes: number;
};
export type EventInput = Partial<Omit<OrganizerEvent, 'id' | 'organizationId' | 'descriptionHtml' | 'coverUrl' | 'visibility' | 'status' | 'reviewComment' | 'cancelReason' | 'hasAccessCode'>>;

export type AgendaSession = {
  id: string; title: string; description: string; startsAt: string; endsAt: string; track: string; capacity: number | null;
  liveRoom: boolean; recording: boolean; lobbyMode: 'ticket_holders' | 'knock'; maxPeers: number | null; maxPublishers: number | null;
  speakerIds: string[]; ticketTypeIds: string[];
};
export type SessionInput = Partial<Omit<AgendaSession, 'id'>>;
export type Speaker = {
  id: string; name: string; title: string; bio: string; links: { label: string; url: string }[]; position: number;
  userId: string | null; userEmail: string | null; photoUrl: string | null;
  /** The open invitation to link an account, if any: an address only, until its owner accepts. */
  invitation: Invitation | null;
};
export type SpeakerInput = Partial<Omit<Speaker, 'id' | 'userId' | 'photoUrl' | 'invitation'>>;
/** An invitation as the inviter sees it: the address and its state, never whose it is. */
export type Invitation = { id: string; email: string; role: string | null; status: 'invited' | 'expired'; sentAt: string; expiresAt: string };
export type OrganizationRole = 'owner' | 'admin' | 'member';
export type OrganizationMember = { userId: string; displayName: string; email: string; role: OrganizationRole };
/** What an invitation link stands for, shown before accepting it. */
export type InvitationPreview = {
  kind: 'organization' | 'event_team' | 'speaker'; email: string; role: string | null; roleLabel: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired'; expiresAt: string; inviterName: string | null;
  target: { name: string; path: string; speakerName?: string };
};
export type TeamMember = { userId: string; displayName: string; email: string; role: TeamRole; since: string };
export type EventDetail = {
  event: OrganizerEvent;
  organization: { id: string; name: string; slug: string };
  role: { team: TeamRole | null; organization: string | null };
  permissions: { update: boolean; delete: boolean; cancel: boolean; manageTeam: boolean; checkIn: boolean; moderate: boolean };
  sessions: AgendaSession[];
  speakers: Speaker[];
  team: TeamMember[];
  invites: (Invitation & { role: TeamRole })[];
  invitees: string[];
  reviews: { decision: string; comment: string; at: string; by: string | null }[];
  ticketTypes: { id: string; name: string }[];
};
export type EventSummary = {
  id: string; title: string; slug: string; startsAt: string; endsAt: string; timeZone: string; status: EventStatus; visibility: Visibility;
  organization: { id: string; name: string }; teamRole: TeamRole | null; organizationRole: string | null;
};
export type Dashboard = {
  currency: string;
  sales: { orders: number; gross: number; refunded: number; net: number };
  registrations: number;
  capacity: number | null;
  ticketTypes: { id: string; name: string; quantity: number; sold: number; held: number }[];
  checkIns: number | null;
  liveSessions: { id: string; title: string; startsAt: string; endsAt: string; track: string }[];
  activity: { id: string; at: string; action: string; by: string | null; before: unknown; after: unknown }[];
};
export type Organization = { id: string; name: string; slug: string; role: string };
export type OrganizationSettings = Organization & {
  logoUrl: string | null; contactEmail: string | null; defaultCurrency: string; legalAddress: string; vatId: string;
  commissionBp: number | null; payout: { connected: boolean; ready: boolean };
};
export type QueueItem = {
  id: string; title: string; slug: string; status: EventStatus; visibility: Visibility; startsAt: string; timeZone: string;
  submittedAt: string | null; reviewComment: string; organizationName: string;
};

const e = (id: string) => `/organize/events/${id}`;

export const organizeApi = {
  organizations: () => api.get<{ organizations: Organization[] }>('/organizations'),
  createOrganization: (name: string, slug: string) => api.post<{ organization: Organization }>('/organizations', { name, slug }),
  organization: (id: string) => api.get<{ organization: OrganizationSettings; members: OrganizationMember[]; invitations: Invitation[] }>(`/organizations/${id}`),
  inviteMember: (id: string, email: string, role: OrganizationRole) => api.post<{ invitation: Invitation }>(`/organizations/${id}/invitations`, { email, role }),
  setMemberRole: (id: string, userId: string, role: OrganizationRole) => api.patch<unknown>(`/organizations/${id}/members/${userId}`, { role }),
  removeOrganizationMember: (id: string, userId: string) => api.delete<void>(`/organizations/${id}/members/${userId}`),
  updateOrganization: (id: string, changes: Partial<Pick<OrganizationSettings, 'name' | 'contactEmail' | 'defaultCurrency' | 'legalAddress' | 'vatId'>>) =>
    api.patch<unknown>(`/organizations/${id}`, changes),
  removeLogo: (id: string) => api.delete<{ logoUrl: null }>(`/organizations/${id}/logo`),
  payoutOnboarding: (id: string) => api.post<{ url: string }>(`/organizations/${id}/payout/onboarding`, {}),
  refreshPayout: (id: string) => api.post<{ payout: { connected: boolean; ready: boolean } }>(`/organizations/${id}/payout/refresh`, {}),
  setCommission: (id: string, commissionBp: number | null) => api.put<unknown>(`/admin/organizations/${id}/commission`, { commissionBp }),

  events: () => api.get<{ events: EventSummary[] }>('/organize/events'),
  create: (input: EventInput & { organizationId: string }) => api.post<{ event: OrganizerEvent }>('/organize/events', input),
  detail: (id: string) => api.get<EventDetail>(e(id)),
  update: (id: string, changes: EventInput) => api.patch<{ event: OrganizerEvent }>(e(id), changes),
  remove: (id: string) => api.delete<void>(e(id)),
  duplicate: (id: string) => api.post<{ event: OrganizerEvent }>(`${e(id)}/duplicate`, {}),
  cancel: (id: string, reason: string) => api.post<{ event: OrganizerEvent; notified: number }>(`${e(id)}/cancel`, { reason }),
  removeCover: (id: string) => api.delete<{ event: OrganizerEvent }>(`${e(id)}/cover`),
  submit: (id: string) => api.post<{ event: OrganizerEvent }>(`${e(id)}/submit`, {}),
  setVisibility: (id: string, input: { visibility: Visibility; invitees?: string[]; accessCode?: string | null }) =>
    api.put<{ event: OrganizerEvent }>(`${e(id)}/visibility`, input),
  dashboard: (id: string) => api.get<Dashboard>(`${e(id)}/dashboard`),

  addSession: (eventId: string, input: SessionInput) => api.post<{ session: AgendaSession }>(`${e(eventId)}/sessions`, input),
  updateSession: (id: string, input: SessionInput) => api.patch<{ session: AgendaSession }>(`/organize/sessions/${id}`, input),
  removeSession: (id: string) => api.delete<void>(`/organize/sessions/${id}`),
  addSpeaker: (eventId: string, input: SpeakerInput) => api.post<{ speaker: Speaker }>(`${e(eventId)}/speakers`, input),
  updateSpeaker: (id: string, input: SpeakerInput) => api.patch<{ speaker: Speaker }>(`/organize/speakers/${id}`, input),
  removeSpeaker: (id: string) => api.delete<void>(`/organize/speakers/${id}`),

  invite: (eventId: string, email: string, role: TeamRole) => api.post<{ invitation: Invitation }>(`${e(eventId)}/team/invites`, { email, role }),
  // Any invitation (organization, team, speaker): a fresh link by mail, or withdrawn.
  resendInvitation: (invitationId: string) => api.post<{ invitation: Invitation }>(`/invitations/${invitationId}/resend`, {}),
  revokeInvitation: (invitationId: string) => api.delete<void>(`/invitations/${invitationId}`),
  previewInvitation: (token: string) => api.post<{ invitation: InvitationPreview }>('/invitations/preview', { token }),
  acceptInvitation: (token: string) =>
    api.post<{ accepted: { kind: InvitationPreview['kind']; role: string | null; target: InvitationPreview['target'] } }>('/invitations/accept', { token }),
  setRole: (eventId: string, userId: string, role: TeamRole) => api.patch<unknown>(`${e(eventId)}/team/${userId}`, { role }),
  removeMember: (eventId: string, userId: string) => api.delete<void>(`${e(eventId)}/team/${userId}`),

  queue: (filter: { status: string; visibility?: string; q?: string }) =>
    api.get<{ events: QueueItem[] }>(`/admin/events?${new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][])}`),
  review: (id: string, decision: 'approved' | 'changes_requested' | 'rejected', comment: string) =>
    api.post<{ event: OrganizerEvent }>(`/admin/events/${id}/review`, { decision, comment }),
};

/** Uploads an image as the request body (the server re-encodes it); returns the JSON answer. */
export async function uploadImage<T>(url: string, file: File): Promise<T> {
  const response = await fetch(`/api${url}`, {
    method: 'PUT', credentials: 'same-origin', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? `Upload failed (HTTP ${response.status})`);
  return body as T;
}

export const ORGANIZATION_ROLE_LABELS: Record<OrganizationRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
export const ROLE_LABELS: Record<TeamRole, string> = { owner: 'Owner', co_host: 'Co-host', moderator: 'Moderator', check_in_staff: 'Check-in staff' };
export const STATUS_LABELS: Record<EventStatus, string> = {
  draft: 'Draft', submitted: 'In review', changes_requested: 'Changes requested', approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled',
};
