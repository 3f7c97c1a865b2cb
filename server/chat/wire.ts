/**
 * What chat, polls and Q&A put on the wire: the shapes the server sends and the client
 * reads. Types only, and no imports: client/src/chat/protocol.ts takes them with
 * `import type`, which Vite erases, so nothing of the server reaches the browser bundle.
 */

export type ChatAuthor = { id: string; name: string };

export type ChatMessage = {
  id: number;
  channel: string;
  author: ChatAuthor;
  text: string;
  replyTo: number | null;
  mentions: string[];
  reactions: Record<string, number>;
  createdAt: string;
  deleted: boolean;
};

/** Why the server ended a chat subscription (the access it needed is gone). */
export type ChatLeftReason = "access_lost" | "ticket_cancelled" | "ticket_refunded" | "ticket_revoked" | "team_removed" | "speaker_removed";

/** Pushed when the server ends a subscription: the channel is closed to this person from now on. */
export type ChatLeftPush = { t: "chat.left"; channel: string; reason: ChatLeftReason; message: string };

export type ChannelSettings = { slowModeSeconds: number; disabled: boolean; pinnedMessageId: number | null };

export type JoinReply = {
  channel: string;
  /** The event the channel belongs to. */
  eventId: string;
  messages: ChatMessage[];
  settings: ChannelSettings;
  canModerate: boolean;
  /** Older messages exist before the first one returned. */
  hasMore: boolean;
  /** Messages after `afterId` that did not fit: the client asks again. */
  truncated: boolean;
};

/** One private conversation in the caller's "Messages" list. */
export type Conversation = {
  channel: string;
  peer: ChatAuthor;
  /** Null when either side blocks the other: their messages are hidden. */
  last: { text: string; authorId: string; createdAt: string } | null;
  unread: number;
  blocked: boolean;
};

export type ReportResolution = "deleted" | "muted" | "dismissed";

/** Why a person reports a message (`chat.report`), picked from a short list; a note may say more. */
export type ReportReason = "spam" | "harassment" | "off_topic" | "other";

/** A report of a chat message, as the reporter sends it. */
export type ChatReportRequest = { messageId: number; reason: ReportReason; note?: string };

/** A report of a chat message, as moderators see it. */
export type ChatReport = {
  id: string;
  messageId: number;
  /** What the reporter said: the reason's label, then their note if they wrote one ("Spam: sells followers"). */
  reason: string;
  reporter: ChatAuthor;
  author: ChatAuthor;
  text: string;
  messageDeleted: boolean;
  createdAt: string;
  resolution: ReportResolution | null;
};

export type ChatMute = { user: ChatAuthor; until: string; mutedBy: ChatAuthor | null };

export type PollOption = { id: string; text: string; votes: number | null };

export type Poll = {
  id: string;
  sessionId: string;
  question: string;
  multiple: boolean;
  anonymous: boolean;
  allowChange: boolean;
  resultsVisibility: "all" | "hosts";
  status: "draft" | "open" | "closed";
  options: PollOption[];
  voters: number | null;
};

export type QuestionStatus = "pending" | "open" | "answered" | "dismissed";

export type Question = {
  id: string;
  sessionId: string;
  text: string;
  author: ChatAuthor | null;
  status: QuestionStatus;
  answeredLive: boolean;
  answer: string | null;
  pinned: boolean;
  votes: number;
  createdAt: string;
};
