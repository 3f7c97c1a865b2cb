/**
 * The database's tables as TypeScript types, kept in step with migrations/ by hand
 * (`db.test.ts` checks every column named here exists after migrating).
 * Timestamps are ISO-8601 UTC text and ids are UUID text, so the same queries run on
 * SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export type PlatformRole = "user" | "admin";

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  /** argon2id PHC string; null for accounts that only log in through OAuth. */
  password_hash: string | null;
  role: PlatformRole;
  created_at: string;
  updated_at: string;
  /** When the address in `email` was proven by a link; null until then. */
  email_verified_at: Generated<string | null>;
  /** Set while the account is banned: it cannot log in and has no sessions. */
  banned_at: Generated<string | null>;
  /** Shown to the banned user when they try to log in. */
  ban_reason: Generated<string | null>;
  bio: Generated<string>;
  /** Path of the re-encoded avatar inside data.dir. */
  avatar_path: Generated<string | null>;
  /** IANA time zone, e.g. "Europe/Paris". */
  time_zone: Generated<string | null>;
  /** BCP 47 language tag, e.g. "fr". */
  language: Generated<string | null>;
  /** JSON array of interest tags. */
  interests: Generated<string>;
  /** JSON object: kind → channel → enabled. */
  notification_prefs: Generated<string>;
  password_changed_at: Generated<string | null>;
}

/** A browser session: only the SHA-256 of its cookie token is stored. */
export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  /** Shortened User-Agent, so the profile can say which device it is. */
  user_agent: string;
  ip: string;
}

export type EmailTokenPurpose = "verify_email" | "reset_password";

/** Single-use links sent by e-mail. */
export interface EmailTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  /** The address the link was sent to. */
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export type OrganizationRole = "owner" | "admin" | "member";

export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  created_at: string;
  updated_at: string;
  logo_path: Generated<string | null>;
  contact_email: Generated<string | null>;
  /** Lower-case ISO 4217. */
  default_currency: Generated<string>;
  /** Commission override in basis points, set by a platform admin; null: the platform default. */
  commission_bp: Generated<number | null>;
  /** The payment provider's connected account that is paid the organizer's share. */
  payout_account_id: Generated<string | null>;
  payout_ready: Generated<number>;
  legal_address: Generated<string>;
  vat_id: Generated<string>;
}

export interface OrganizationMembersTable {
  organization_id: string;
  user_id: string;
  role: OrganizationRole;
  created_at: string;
}

/** Who did what to whom, with the record before and after (JSON). */
export interface AuditLogTable {
  id: string;
  at: string;
  actor_id: string | null;
  actor_kind: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: string | null;
  after: string | null;
  ip: string;
}

export type OutboxStatus = "stored" | "sending" | "sent" | "failed";

/** Every e-mail the server writes; with no SMTP configured, admins read them here. */
export interface OutboxTable {
  id: string;
  created_at: string;
  to_address: string;
  template: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: OutboxStatus;
  sent_at: string | null;
  error: string | null;
  /** JSON: `{ filename, contentType, content (base64) }[]` (migration 0020). */
  attachments: Generated<string>;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  /** JSON array of scope names. */
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface RefreshTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  family_id: string;
  created_at: string;
  expires_at: string;
  /** Set when rotated; presenting it again revokes the whole family. */
  used_at: string | null;
}

export interface OauthAccountsTable {
  provider: string;
  provider_user_id: string;
  user_id: string;
  email: string | null;
  created_at: string;
}

/** Instance-wide settings set at run time (not in the config file), as JSON text. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export type JobStatus = "queued" | "running" | "done" | "dead";

/** The durable job queue (server/jobs): reminders, e-mail, uploads, expiring holds. */
export interface JobsTable {
  id: string;
  kind: string;
  /** Unique when set: the same reminder is never enqueued twice. */
  key: string | null;
  /** JSON, validated by the kind's schema when the job runs. */
  payload: string;
  status: JobStatus;
  run_at: string;
  attempts: Generated<number>;
  max_attempts: number;
  last_error: string | null;
  /** The runner holding the lease while running; its lease ends at locked_until. */
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

// ---- Events (migrations/0004_events.ts) ----

export type EventVisibility = "public" | "unlisted" | "invite_only";
export type EventStatus = "draft" | "submitted" | "changes_requested" | "approved" | "rejected" | "cancelled";
export type VenueType = "online" | "hybrid" | "in_person";
export type EventTeamRoleColumn = "owner" | "co_host" | "moderator" | "check_in_staff";

export interface EventsTable {
  id: string;
  organization_id: string;
  slug: string;
  title: string;
  summary: Generated<string>;
  /** Markdown as the organizer wrote it. */
  description: Generated<string>;
  /** Sanitized HTML rendered from `description` on save. */
  description_html: Generated<string>;
  cover_path: Generated<string | null>;
  category: Generated<string>;
  /** JSON array of lower-case tags. */
  tags: Generated<string>;
  language: Generated<string>;
  time_zone: string;
  starts_at: string;
  ends_at: string;
  venue_type: Generated<VenueType>;
  venue_address: Generated<string>;
  capacity: Generated<number | null>;
  currency: string;
  visibility: Generated<EventVisibility>;
  status: Generated<EventStatus>;
  review_comment: Generated<string>;
  submitted_at: Generated<string | null>;
  approved_at: Generated<string | null>;
  cancelled_at: Generated<string | null>;
  cancel_reason: Generated<string>;
  access_code_hash: Generated<string | null>;
  private_messages: Generated<number>;
  vat_rate_bp: Generated<number>;
  vat_inclusive: Generated<number>;
  cancel_deadline_hours: Generated<number | null>;
  cancel_fee_bp: Generated<number>;
  /** JSON array of minutes before each session. */
  reminder_offsets: Generated<string>;
  hold_minutes: Generated<number>;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventSessionsTable {
  id: string;
  event_id: string;
  title: string;
  description: Generated<string>;
  starts_at: string;
  ends_at: string;
  track: Generated<string>;
  capacity: Generated<number | null>;
  live_room: Generated<number>;
  recording: Generated<number>;
  lobby_mode: Generated<"ticket_holders" | "knock">;
  max_peers: Generated<number | null>;
  max_publishers: Generated<number | null>;
  created_at: string;
  updated_at: string;
}

export interface SpeakersTable {
  id: string;
  event_id: string;
  user_id: string | null;
  name: string;
  title: Generated<string>;
  photo_path: Generated<string | null>;
  bio: Generated<string>;
  /** JSON array of {label, url}. */
  links: Generated<string>;
  position: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface SessionSpeakersTable {
  session_id: string;
  speaker_id: string;
}

export interface EventTeamTable {
  event_id: string;
  user_id: string;
  role: EventTeamRoleColumn;
  added_by: string | null;
  created_at: string;
}

export interface EventInviteesTable {
  event_id: string;
  email: string;
  created_at: string;
}

export interface EventReviewsTable {
  id: string;
  event_id: string;
  actor_id: string | null;
  decision: "submitted" | "approved" | "changes_requested" | "rejected" | "re_review";
  comment: Generated<string>;
  created_at: string;
}

// ---- Ticketing (migrations/0005_ticketing.ts) ----

export type OrderStatus = "pending" | "paid" | "expired" | "cancelled" | "refunded" | "partially_refunded";
export type TicketStatus = "valid" | "cancelled" | "refunded" | "revoked";
export type LedgerKind = "sale" | "provider_fee" | "commission" | "refund" | "payout" | "dispute" | "dispute_reversal";

export interface TicketTypesTable {
  id: string;
  event_id: string;
  name: string;
  description: Generated<string>;
  /** Minor units; 0 is free. */
  price: number;
  currency: string;
  quantity: number;
  /** Seats in open checkouts. */
  held: Generated<number>;
  sold: Generated<number>;
  sale_starts_at: Generated<string | null>;
  sale_ends_at: Generated<string | null>;
  min_per_order: Generated<number>;
  max_per_order: Generated<number>;
  hidden: Generated<number>;
  access_code_hash: Generated<string | null>;
  position: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface TicketTypeSessionsTable {
  ticket_type_id: string;
  session_id: string;
}

export interface PromoCodesTable {
  id: string;
  event_id: string;
  code: string;
  kind: "percent" | "amount";
  /** Basis points (percent) or minor units (amount). */
  value: number;
  max_uses: Generated<number | null>;
  used: Generated<number>;
  valid_from: Generated<string | null>;
  valid_until: Generated<string | null>;
  /** JSON array of ticket type ids; null: all. */
  ticket_type_ids: Generated<string | null>;
  created_at: string;
}

export interface RegistrationQuestionsTable {
  id: string;
  event_id: string;
  label: string;
  kind: "text" | "choice" | "multi_choice";
  choices: Generated<string>;
  required: Generated<number>;
  position: Generated<number>;
  created_at: string;
}

export interface OrdersTable {
  id: string;
  event_id: string;
  user_id: string | null;
  buyer_name: string;
  buyer_email: string;
  status: OrderStatus;
  currency: string;
  subtotal: number;
  discount: Generated<number>;
  tax: Generated<number>;
  total: number;
  refunded: Generated<number>;
  commission: Generated<number>;
  vat_rate_bp: Generated<number>;
  vat_inclusive: Generated<number>;
  promo_code_id: Generated<string | null>;
  provider: "free" | "stripe" | "paypal";
  checkout_id: Generated<string | null>;
  payment_id: Generated<string | null>;
  hold_expires_at: Generated<string | null>;
  idempotency_key: Generated<string | null>;
  created_at: string;
  updated_at: string;
  paid_at: Generated<string | null>;
  cancelled_at: Generated<string | null>;
  /** migrations/0019: a cardholder's dispute of the order, when there is one. */
  dispute_status: Generated<"open" | "won" | "lost" | null>;
  /** migrations/0024: SHA-256 of the checkout request its Idempotency-Key was first used with. */
  idempotency_fingerprint: Generated<string | null>;
  /** migrations/0024: why a reported payment was not applied (amount or checkout mismatch); null when none. */
  payment_problem: Generated<string | null>;
}

export interface OrderItemsTable {
  id: string;
  order_id: string;
  ticket_type_id: string;
  unit_amount: number;
  discount: Generated<number>;
  holder_name: string;
  holder_email: string;
  /** JSON object: question id → answer. */
  answers: Generated<string>;
}

export interface TicketsTable {
  id: string;
  order_id: string;
  order_item_id: string;
  event_id: string;
  ticket_type_id: string;
  user_id: string | null;
  holder_name: string;
  holder_email: string;
  status: Generated<TicketStatus>;
  status_reason: Generated<string>;
  code: string;
  created_at: string;
  updated_at: string;
  /** 0025: the door code staff can type (server/tickets/short-code.ts); unique per event. Null only if a writer forgot it. */
  short_code: string | null;
}

export interface RefundsTable {
  id: string;
  order_id: string;
  provider_refund_id: Generated<string | null>;
  amount: number;
  status: "pending" | "succeeded" | "failed";
  reason: Generated<string>;
  /** JSON array of ticket ids. */
  ticket_ids: Generated<string>;
  created_by: string | null;
  created_at: string;
  settled_at: Generated<string | null>;
}

export interface DisputesTable {
  id: string;
  order_id: string | null;
  provider_dispute_id: string;
  amount: number;
  currency: string;
  /** Plenary's dispute state (Stripe's names mapped since migrations/0021). */
  status: "inquiry" | "open" | "won" | "lost" | "closed";
  reason: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface PaymentEventsTable {
  provider: string;
  event_id: string;
  type: string;
  created: string;
  processed_at: string;
}

export interface LedgerEntriesTable {
  id: string;
  organization_id: string;
  event_id: string | null;
  order_id: string | null;
  kind: LedgerKind;
  /** Signed minor units: + the organization gains, − it loses. */
  amount: number;
  currency: string;
  reference: string;
  created_at: string;
}

export interface WaitlistEntriesTable {
  id: string;
  event_id: string;
  ticket_type_id: string;
  user_id: string | null;
  email: string;
  status: Generated<"waiting" | "offered" | "claimed" | "expired" | "left">;
  offer_token_hash: Generated<string | null>;
  offer_expires_at: Generated<string | null>;
  created_at: string;
}

// ---- Chat, polls, Q&A, notifications (migrations/0007_engagement.ts) ----

export interface ChatMessagesTable {
  /** Grows with every message: orders a channel and lets a client resume after the last it saw. */
  id: Generated<number>;
  /** `event:<id>`, `session:<id>`, `backstage:<id>` or `dm:<event>:<user>:<user>`. */
  channel: string;
  event_id: string;
  author_id: string;
  text: string;
  reply_to: number | null;
  /** JSON array of mentioned user ids. */
  mentions: Generated<string>;
  created_at: string;
  deleted_at: Generated<string | null>;
  deleted_by: Generated<string | null>;
}

export interface ChatReactionsTable {
  message_id: number;
  user_id: string;
  emoji: string;
}

export interface ChatChannelsTable {
  channel: string;
  slow_mode_seconds: Generated<number>;
  disabled: Generated<number>;
  pinned_message_id: Generated<number | null>;
  updated_at: string;
}

export interface ChatMutesTable {
  channel: string;
  user_id: string;
  until: string;
  muted_by: string | null;
}

export interface ChatReportsTable {
  id: string;
  message_id: number;
  reporter_id: string;
  reason: string;
  created_at: string;
  /** migrations/0014: set when a moderator closes the report. */
  resolved_at: Generated<string | null>;
  resolved_by: Generated<string | null>;
  resolution: Generated<"deleted" | "muted" | "dismissed" | null>;
}

export interface UserBlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: string;
}

export interface ChatReadsTable {
  user_id: string;
  channel: string;
  last_read_id: number;
}

export interface PollsTable {
  id: string;
  session_id: string;
  question: string;
  multiple: Generated<number>;
  anonymous: Generated<number>;
  allow_change: Generated<number>;
  results_visibility: Generated<"all" | "hosts">;
  status: Generated<"draft" | "open" | "closed">;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface PollOptionsTable {
  id: string;
  poll_id: string;
  text: string;
  position: number;
}

export interface PollVotesTable {
  poll_id: string;
  user_id: string;
  option_id: string;
  created_at: string;
}

export type QuestionStatus = "pending" | "open" | "answered" | "dismissed";

export interface QuestionsTable {
  id: string;
  session_id: string;
  author_id: string;
  anonymous: Generated<number>;
  text: string;
  status: QuestionStatus;
  answered_live: Generated<number>;
  answer: Generated<string | null>;
  pinned: Generated<number>;
  votes: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface QuestionVotesTable {
  question_id: string;
  user_id: string;
  created_at: string;
}

export interface QaSettingsTable {
  session_id: string;
  premoderation: Generated<number>;
  updated_at: string;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: Generated<string>;
  link: string | null;
  event_id: string | null;
  /** Unique when set: the notification (and its e-mail) happens once. */
  dedupe_key: string | null;
  /** 0: in-app notifications of this kind are off; the row only records that it happened. */
  in_app: Generated<number>;
  created_at: string;
  read_at: Generated<string | null>;
}

export interface SessionSchedulesTable {
  session_id: string;
  starts_at: string;
  ends_at: string;
}

export interface AnnouncementsTable {
  id: string;
  event_id: string;
  session_id: string | null;
  author_id: string | null;
  subject: string;
  body: string;
  recipients: Generated<number>;
  created_at: string;
}

/** migrations/0014_deliveries_and_report_outcomes.ts: who an announcement reached, once each. */
export interface AnnouncementDeliveriesTable {
  announcement_id: string;
  /** Lower-cased e-mail address. */
  address: string;
  user_id: string | null;
  outbox_id: string | null;
  delivered_at: string;
}

// ---- Recordings (migrations/0008_recordings.ts) ----

export type RecordingState = "recording" | "processing" | "uploading" | "ready" | "failed";
export type RecordingAccess = "ticket_holders" | "everyone";

export interface RecordingsTable {
  id: string;
  event_id: string;
  session_id: string;
  title: string;
  state: Generated<RecordingState>;
  failure_reason: Generated<string>;
  access: Generated<RecordingAccess>;
  started_by: string | null;
  started_at: string;
  ended_at: Generated<string | null>;
  duration_ms: Generated<number | null>;
  trim_start_ms: Generated<number | null>;
  trim_end_ms: Generated<number | null>;
  storage_backend: Generated<"local" | "s3" | null>;
  /** AES-128 key (hex) of the HLS segments; never put in the store. */
  hls_key: Generated<string | null>;
  size_bytes: Generated<number>;
  created_at: string;
  updated_at: string;
}

// ---- Check-in (migrations/0006_checkin.ts) ----

export interface CheckinListsTable {
  id: string;
  event_id: string;
  name: string;
  /** JSON array of admitted ticket type ids; null: all of the event's. */
  ticket_type_ids: string | null;
  created_at: string;
  updated_at: string;
}

export interface CheckinsTable {
  id: string;
  list_id: string;
  ticket_id: string;
  nonce: string;
  source: "scan" | "manual";
  scanned_by: string | null;
  scanned_at: string;
  synced_at: string;
}

// 0009_rooms
export interface RoomBansTable {
  session_id: string;
  user_id: string;
  banned_by: string | null;
  created_at: string;
}

// 0016_stream_destinations
export interface StreamDestinationsTable {
  id: string;
  event_id: string;
  name: string;
  /** rtmp:// or rtmps:// URL of the ingest, without the key. */
  ingest_url: string;
  /** AES-256-GCM sealed stream key (server/streaming/secret-box.ts); never sent to clients. */
  stream_key_sealed: string;
  stream_key_last4: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

// 0013_attendance
export interface SessionAttendanceTable {
  session_id: string;
  user_id: string;
  first_joined_at: string;
  last_joined_at: string;
  joins: number;
}

// --- 0010_feedback_sponsors ------------------------------------------------------------

export type FeedbackTargetType = "event" | "session" | "speaker" | "organizer";

export interface FeedbackRatingsTable {
  id: string;
  event_id: string;
  target_type: FeedbackTargetType;
  /** The event's, session's or speaker's id; the organization's for "organizer". */
  target_id: string;
  user_id: string;
  stars: number;
  comment: Generated<string>;
  reply: Generated<string>;
  replied_at: Generated<string | null>;
  featured: Generated<number>;
  hidden_at: Generated<string | null>;
  hidden_reason: Generated<string>;
  reported_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

export interface FeedbackQuestionsTable {
  id: string;
  event_id: string;
  label: string;
  kind: "stars" | "text";
  position: Generated<number>;
  created_at: string;
}

export interface FeedbackAnswersTable {
  question_id: string;
  user_id: string;
  value: string;
  updated_at: string;
}

export interface FeedbackInvitationsTable {
  target_type: "event" | "session";
  target_id: string;
  user_id: string;
  created_at: string;
}

export interface SponsorTiersTable {
  id: string;
  event_id: string;
  name: string;
  position: Generated<number>;
  logo_size: Generated<"small" | "medium" | "large">;
  created_at: string;
}

export interface SponsorsTable {
  id: string;
  event_id: string;
  tier_id: string | null;
  name: string;
  description: Generated<string>;
  logo_url: Generated<string>;
  banner_url: Generated<string>;
  link: Generated<string>;
  position: Generated<number>;
  created_at: string;
  updated_at: string;
}

export type SponsorPlacement = "event_page" | "lobby" | "room" | "overlay";

export interface SponsorStatsTable {
  sponsor_id: string;
  day: string;
  placement: SponsorPlacement;
  impressions: Generated<number>;
  clicks: Generated<number>;
}

// 0018_sponsor_overlays
export interface SponsorOverlaysTable {
  session_id: string;
  /** JSON: the host's last overlay command (show, schedule, rotate). */
  command: string;
  started_at: string;
  updated_by: string | null;
}

// ---- Live-room grants (migrations/0022_room_grants.ts) ----

/** A role a host gave inside a session's room above the person's join-token role. */
export interface RoomGrantsTable {
  session_id: string;
  user_id: string;
  role: "host" | "speaker";
  granted_by: string | null;
  granted_at: string;
}

// ---- Checkout rate limit (migrations/0021_dispute_states_and_checkout_buckets.ts) ----

export interface CheckoutBucketsTable {
  /** "ip:<address>" or "buyer:<account id or lower-cased e-mail>". */
  key: string;
  tokens: number;
  per_minute: number;
  /** The last take, milliseconds since the epoch. */
  at: number;
  /** migrations/0024: most tokens it holds; null: per_minute (a minute's allowance). */
  capacity: Generated<number | null>;
}

// ---- Saved payment methods (migrations/0012_payment_customers.ts) ----

export interface PaymentCustomersTable {
  user_id: string;
  provider: string;
  /** The provider's customer (Stripe: cus_…). */
  customer_id: string;
  created_at: string;
}

// ---- Invitations by e-mail (migrations/0023_invitations.ts) ----

export type InvitationKind = "organization" | "event_team" | "speaker";

/** An invitation into an organization, an event's team or a speaker profile; only the token's SHA-256 is kept. */
export interface InvitationsTable {
  id: string;
  kind: InvitationKind;
  organization_id: string | null;
  event_id: string | null;
  speaker_id: string | null;
  role: string | null;
  email: string;
  token_hash: string;
  invited_by: string | null;
  created_at: string;
  sent_at: string;
  expires_at: string;
  accepted_at: Generated<string | null>;
  accepted_by: Generated<string | null>;
  revoked_at: Generated<string | null>;
}

export interface DB {
  users: UsersTable;
  settings: SettingsTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  organizations: OrganizationsTable;
  organization_members: OrganizationMembersTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  api_tokens: ApiTokensTable;
  refresh_tokens: RefreshTokensTable;
  oauth_accounts: OauthAccountsTable;
  jobs: JobsTable;
  // 0004_events
  events: EventsTable;
  event_sessions: EventSessionsTable;
  speakers: SpeakersTable;
  session_speakers: SessionSpeakersTable;
  event_team: EventTeamTable;
  event_invitees: EventInviteesTable;
  event_reviews: EventReviewsTable;
  // 0005_ticketing
  ticket_types: TicketTypesTable;
  ticket_type_sessions: TicketTypeSessionsTable;
  promo_codes: PromoCodesTable;
  registration_questions: RegistrationQuestionsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  tickets: TicketsTable;
  refunds: RefundsTable;
  disputes: DisputesTable;
  payment_events: PaymentEventsTable;
  ledger_entries: LedgerEntriesTable;
  waitlist_entries: WaitlistEntriesTable;
  // 0012_payment_customers
  payment_customers: PaymentCustomersTable;
  // 0006_checkin
  checkin_lists: CheckinListsTable;
  checkins: CheckinsTable;
  // 0007_engagement
  chat_messages: ChatMessagesTable;
  chat_reactions: ChatReactionsTable;
  chat_channels: ChatChannelsTable;
  chat_mutes: ChatMutesTable;
  chat_reports: ChatReportsTable;
  user_blocks: UserBlocksTable;
  chat_reads: ChatReadsTable;
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_votes: PollVotesTable;
  questions: QuestionsTable;
  question_votes: QuestionVotesTable;
  qa_settings: QaSettingsTable;
  notifications: NotificationsTable;
  announcements: AnnouncementsTable;
  announcement_deliveries: AnnouncementDeliveriesTable;
  session_schedules: SessionSchedulesTable;
  // 0008_recordings
  recordings: RecordingsTable;
  // 0009_rooms
  room_bans: RoomBansTable;
  session_attendance: SessionAttendanceTable;
  // 0016_stream_destinations
  stream_destinations: StreamDestinationsTable;
  // 0010_feedback_sponsors
  feedback_ratings: FeedbackRatingsTable;
  feedback_questions: FeedbackQuestionsTable;
  feedback_answers: FeedbackAnswersTable;
  feedback_invitations: FeedbackInvitationsTable;
  sponsor_tiers: SponsorTiersTable;
  sponsors: SponsorsTable;
  sponsor_stats: SponsorStatsTable;
  // 0018_sponsor_overlays
  sponsor_overlays: SponsorOverlaysTable;
  // 0021_dispute_states_and_checkout_buckets
  checkout_buckets: CheckoutBucketsTable;
  // 0022_room_grants
  room_grants: RoomGrantsTable;
  // 0023_invitations
  invitations: InvitationsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type { Generated };
