/**
 * The chat, poll, Q&A and reaction messages as the client sees them, added to the shared
 * realtime client's typed maps by declaration merging, and `onPush`, which also unwraps
 * the fan-out's `batch` frames (under load the server coalesces pushes into one frame).
 */
import type { RealtimeClient } from '../api/realtime.ts';

// The shapes come from the server's own definitions (types only: Vite erases the import).
import type {
  ChannelSettings, ChatLeftPush, ChatMessage, ChatMute, ChatReport, ChatReportRequest, Conversation, JoinReply, Poll, Question, ReportResolution,
} from '../../../server/chat/wire.ts';

export type {
  ChatAuthor, ChannelSettings, ChatMessage, ChatMute, ChatReport, Conversation, JoinReply, Poll, PollOption, Question, ReportReason, ReportResolution,
} from '../../../server/chat/wire.ts';

type Empty = Record<string, never>;

declare module '../api/realtime.ts' {
  interface RealtimePushes {
    'chat.message': { t: 'chat.message'; message: ChatMessage };
    'chat.deleted': { t: 'chat.deleted'; channel: string; messageId: number };
    'chat.reactions': { t: 'chat.reactions'; channel: string; messageId: number; reactions: Record<string, number> };
    'chat.settings': { t: 'chat.settings'; channel: string; settings: ChannelSettings };
    /** The server ended the caller's subscription: the access it needed is gone (ticket cancelled, left the team). */
    'chat.left': ChatLeftPush;
    /** A private message to the caller, on their user topic (whether or not they joined its channel). */
    'chat.conversation': { t: 'chat.conversation'; channel: string; message: ChatMessage };
    'poll.updated': { t: 'poll.updated'; poll: Poll };
    'qa.updated': { t: 'qa.updated'; question: Question };
    'qa.settings': { t: 'qa.settings'; sessionId: string; premoderation: boolean };
    'reaction.burst': { t: 'reaction.burst'; sessionId: string; counts: Record<string, number> };
    'sys.resync': { t: 'sys.resync'; topics: string[] };
    batch: { t: 'batch'; frames: { t: string }[] };
  }
  interface RealtimeRequests {
    'chat.join': { payload: { channel: string; afterId?: number }; reply: JoinReply };
    'chat.leave': { payload: { channel: string }; reply: Empty };
    'chat.history': { payload: { channel: string; beforeId: number }; reply: { messages: ChatMessage[]; hasMore: boolean } };
    'chat.send': { payload: { channel: string; text: string; replyTo?: number; mentions?: string[] }; reply: { message: ChatMessage } };
    'chat.react': { payload: { messageId: number; emoji: string }; reply: { reactions: Record<string, number> } };
    'chat.delete': { payload: { messageId: number }; reply: Empty };
    'chat.report': { payload: ChatReportRequest; reply: Empty };
    'chat.block': { payload: { userId: string }; reply: Empty };
    'chat.mute': { payload: { channel: string; userId: string; minutes: number }; reply: { until: string | null } };
    'chat.pin': { payload: { channel: string; messageId: number | null }; reply: { settings: ChannelSettings } };
    'chat.settings': { payload: { channel: string; slowModeSeconds?: number; disabled?: boolean }; reply: { settings: ChannelSettings } };
    'chat.read': { payload: { channel: string; lastId: number }; reply: Empty };
    'chat.open': { payload: { eventId: string; userId: string }; reply: { channel: string; peer: { id: string; name: string } } };
    'chat.conversations': { payload: { eventId: string }; reply: { enabled: boolean; conversations: Conversation[] } };
    'chat.reports': { payload: { channel: string; resolved?: boolean }; reply: { reports: ChatReport[] } };
    'chat.reports.resolve': {
      payload: { reportId: string; action: 'delete' | 'mute' | 'dismiss'; minutes?: number };
      reply: { resolution: ReportResolution; resolved: number };
    };
    'chat.mutes': { payload: { channel: string }; reply: { mutes: ChatMute[] } };
    'poll.subscribe': { payload: { sessionId: string }; reply: { polls: Poll[]; myVotes: Record<string, string[]>; isHost: boolean } };
    'poll.create': {
      payload: { sessionId: string; question: string; options: string[]; multiple: boolean; anonymous: boolean; resultsVisibility: 'all' | 'hosts'; allowChange: boolean };
      reply: { poll: Poll };
    };
    'poll.open': { payload: { pollId: string }; reply: { poll: Poll } };
    'poll.close': { payload: { pollId: string }; reply: { poll: Poll } };
    'poll.vote': { payload: { pollId: string; optionIds: string[] }; reply: { optionIds: string[] } };
    'qa.subscribe': { payload: { sessionId: string }; reply: { questions: Question[]; myVotes: string[]; premoderation: boolean; isHost: boolean } };
    'qa.ask': { payload: { sessionId: string; text: string; anonymous: boolean }; reply: { question: Question } };
    'qa.upvote': { payload: { questionId: string }; reply: { votes: number } };
    'qa.moderate': {
      payload: { questionId: string; action: 'approve' | 'answer' | 'answer_live' | 'dismiss' | 'pin' | 'unpin'; answer?: string };
      reply: { question: Question };
    };
    'qa.settings': { payload: { sessionId: string; premoderation: boolean }; reply: Empty };
    'reaction.subscribe': { payload: { sessionId: string }; reply: { emojis: string[] } };
    'reaction.send': { payload: { sessionId: string; emoji: string }; reply: Empty };
  }
}

/**
 * Calls `listener` for each push of type `t`, whether it came alone or inside a `batch`
 * frame; returns the unsubscribe function.
 */
export function onPush<K extends keyof import('../api/realtime.ts').RealtimePushes>(
  client: RealtimeClient,
  t: K,
  listener: (push: import('../api/realtime.ts').RealtimePushes[K]) => void,
): () => void {
  const direct = client.on(t, listener);
  const batched = client.on('batch', (batch) => {
    for (const frame of batch.frames) if (frame.t === t) listener(frame as never);
  });
  return () => {
    direct();
    batched();
  };
}

/** The durable topic names the server uses for a chat channel (for `sys.resync`). */
export const chatTopic = (channel: string) => `chat:${channel}`;

/** Splits text into plain runs and http(s) links, so links render as anchors and nothing else as markup. */
export function linkify(text: string): { text: string; href?: string }[] {
  const parts: { text: string; href?: string }[] = [];
  const pattern = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/gi;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/**
 * The "Messages" list after a private message arrives: its conversation moves to the top
 * (added, with the author as the other person, when new), with one more unread message
 * unless it is the one open on screen.
 */
export function withIncoming(list: readonly Conversation[], push: { channel: string; message: ChatMessage }, openChannel: string | null): Conversation[] {
  const known = list.find((c) => c.channel === push.channel);
  const last = { text: push.message.text, authorId: push.message.author.id, createdAt: push.message.createdAt };
  const unread = (known?.unread ?? 0) + (push.channel === openChannel ? 0 : 1);
  const updated: Conversation = known
    ? { ...known, last, unread }
    : { channel: push.channel, peer: push.message.author, last, unread, blocked: false };
  return [updated, ...list.filter((c) => c.channel !== push.channel)];
}
