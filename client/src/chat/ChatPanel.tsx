/**
 * One chat channel: history on join, live messages, resume from the last id after a
 * reconnect (or a `sys.resync`), replies, reactions, reports, blocks, and the moderator's
 * controls (delete, mute, pin, slow mode, disable).
 */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import type { RealtimeError } from '../api/realtime.ts';
import { useSession } from '../pages/account/session.tsx';
import { useRealtime } from '../shell/realtime-context.tsx';
import { Emoji, emojiName } from '../ui/emoji.tsx';
import { ModerationPanel } from './ModerationPanel.tsx';
import { type ChannelSettings, type ChatAuthor, type ChatMessage, chatTopic, type JoinReply, linkify, onPush, type ReportReason } from './protocol.ts';
import { REPORT_REASONS, ReportDialog } from './ReportDialog.tsx';

const REACTIONS = ['👍', '❤️', '😂', '🎉', '👏'];
const MAX_LENGTH = 1_000;

export function ChatPanel(props: {
  channel: string;
  label: string;
  /** Offers "Message <name>" on others' messages, to start a private conversation. */
  onMessagePerson?: (author: ChatAuthor) => void;
  /** Told of each join reply (the channel's event, whether the caller moderates it). */
  onJoin?: (reply: JoinReply) => void;
}) {
  const { client } = useRealtime();
  const session = useSession();
  const me = () => (session.user.state === 'ready' ? session.user()?.id : undefined);
  const [moderating, setModerating] = createSignal(false);
  const [messages, setMessages] = createStore<ChatMessage[]>([]);
  const [settings, setSettings] = createSignal<ChannelSettings>({ slowModeSeconds: 0, disabled: false, pinnedMessageId: null });
  const [canModerate, setCanModerate] = createSignal(false);
  // The channel's event, from the join reply (the moderation view lists its private-message reports).
  const [eventId, setEventId] = createSignal('');
  const [hasMore, setHasMore] = createSignal(false);
  // Whether the channel's history has arrived once (an empty channel says so only then).
  const [joined, setJoined] = createSignal(false);
  const [draft, setDraft] = createSignal('');
  const [replyTo, setReplyTo] = createSignal<ChatMessage | null>(null);
  // People picked with "Mention"; sent as mentions while their @name is still in the text.
  const [mentioned, setMentioned] = createSignal<ChatMessage['author'][]>([]);
  const [error, setError] = createSignal('');
  // Set when the server closed the channel to this person (their access ended); no rejoining then.
  const [closedBecause, setClosedBecause] = createSignal('');
  // What the last action did, for screen readers and a short note ("Reported. …").
  const [notice, setNotice] = createSignal('');
  // The message whose report dialog is open, the button that opened it, and what this person reported here.
  const [reporting, setReporting] = createSignal<ChatMessage | null>(null);
  let reportOpener: HTMLButtonElement | undefined;
  const [reported, setReported] = createSignal<ReadonlySet<number>>(new Set());
  let list: HTMLOListElement | undefined;

  const lastId = () => (messages.length ? messages[messages.length - 1].id : 0);
  const byId = (id: number | null) => (id === null ? undefined : messages.find((m) => m.id === id));

  /** Adds messages in id order, ignoring ones already shown (a resume may repeat some). */
  const merge = (incoming: ChatMessage[]) => {
    setMessages(produce((list) => {
      for (const message of incoming) {
        if (list.some((m) => m.id === message.id)) continue;
        const at = list.findIndex((m) => m.id > message.id);
        if (at === -1) list.push(message);
        else list.splice(at, 0, message);
      }
    }));
    queueMicrotask(() => list?.lastElementChild?.scrollIntoView({ block: 'nearest' }));
    markReadSoon();
  };

  // The read marker moves at most every 2 s: a busy channel must not spend the socket's rate limit on it.
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  const markReadSoon = () => {
    if (readTimer || !messages.length) return;
    readTimer = setTimeout(() => {
      readTimer = undefined;
      void client.request('chat.read', { channel: props.channel, lastId: lastId() }).catch(() => undefined);
    }, 2_000);
  };

  const join = async () => {
    if (closedBecause()) return;
    try {
      const reply = await client.request('chat.join', { channel: props.channel, ...(lastId() ? { afterId: lastId() } : {}) });
      setSettings(reply.settings);
      setCanModerate(reply.canModerate);
      setEventId(reply.eventId);
      props.onJoin?.(reply);
      if (!lastId()) setHasMore(reply.hasMore);
      merge(reply.messages);
      setJoined(true);
      setError('');
      if (reply.truncated) void join();
    } catch (e) {
      setError((e as RealtimeError).message);
    }
  };

  const offs = [
    onPush(client, 'chat.message', ({ message }) => message.channel === props.channel && merge([message])),
    onPush(client, 'chat.deleted', (push) => {
      if (push.channel === props.channel) setMessages((m) => m.id === push.messageId, produce((m) => { m.deleted = true; m.text = ''; }));
    }),
    onPush(client, 'chat.reactions', (push) => {
      if (push.channel === props.channel) setMessages((m) => m.id === push.messageId, 'reactions', push.reactions);
    }),
    onPush(client, 'chat.settings', (push) => push.channel === props.channel && setSettings(push.settings)),
    onPush(client, 'chat.left', (push) => {
      if (push.channel !== props.channel) return;
      setClosedBecause(push.message);
      setReplyTo(null);
      setModerating(false);
      setCanModerate(false);
    }),
    onPush(client, 'sys.resync', (push) => push.topics.includes(chatTopic(props.channel)) && void join()),
    // A new socket knows nothing of our subscription: join again from the last id we saw.
    client.onStatus((status) => status === 'open' && void join()),
  ];
  onMount(() => void join());
  onCleanup(() => {
    // Leaving the channel: what was on screen counts as read now, not in 2 s.
    if (readTimer) void client.request('chat.read', { channel: props.channel, lastId: lastId() }).catch(() => undefined);
    clearTimeout(readTimer);
    offs.forEach((off) => off());
    void client.request('chat.leave', { channel: props.channel }).catch(() => undefined);
  });

  const act = (run: () => Promise<unknown>) => {
    setNotice('');
    return run().then(() => setError(''), (e: RealtimeError) => setError(e.message));
  };

  const send = (event: SubmitEvent) => {
    event.preventDefault();
    const text = draft().trim();
    if (!text) return;
    const reply = replyTo();
    const mentions = mentioned().filter((who) => text.includes(`@${who.name}`)).map((who) => who.id);
    void act(async () => {
      const { message } = await client.request('chat.send', {
        channel: props.channel, text, ...(reply ? { replyTo: reply.id } : {}), ...(mentions.length ? { mentions } : {}),
      });
      merge([message]);
      setDraft('');
      setReplyTo(null);
      setMentioned([]);
    });
  };

  const olderHistory = () =>
    act(async () => {
      const first = messages[0];
      if (!first) return;
      const reply = await client.request('chat.history', { channel: props.channel, beforeId: first.id });
      setHasMore(reply.hasMore);
      merge(reply.messages);
    });

  const reportedAs = (message: ChatMessage, reason: ReportReason) => {
    setReported(new Set([...reported(), message.id]));
    setNotice(props.channel.startsWith('dm:')
      ? `Reported (${REPORT_REASONS[reason].label}). The event's moderators will see this message, not the rest of your conversation.`
      : `Reported (${REPORT_REASONS[reason].label}). The event's moderators will see it.`);
  };
  // Focus goes back where it was: the message's button, or the message box if the message is gone.
  const closeReport = () => {
    setReporting(null);
    const back = reportOpener?.isConnected ? reportOpener : document.getElementById(id());
    reportOpener = undefined;
    back?.focus();
  };

  const pinned = () => byId(settings().pinnedMessageId);
  const id = () => `chat-${props.channel.replace(/[^a-z0-9]/gi, '-')}`;

  return (
    <section class="chat" aria-label={props.label}>
      <Show when={pinned()}>
        {(message) => (
          <p class="chat__pinned" data-testid="chat-pinned">
            <strong>Pinned · {message().author.name}:</strong> {message().text}
          </p>
        )}
      </Show>
      <Show when={hasMore()}>
        <button type="button" class="button chat__older" onClick={() => void olderHistory()}>Show older messages</button>
      </Show>
      <ol class="chat__list" ref={list} aria-live="polite" aria-relevant="additions">
        <For each={messages}>
          {(message) => (
            <li class="chat__message" data-testid="chat-message" data-id={message.id}>
              <Show when={message.replyTo !== null}>
                <p class="chat__reply-quote">↪ {byId(message.replyTo)?.text.slice(0, 80) ?? 'an earlier message'}</p>
              </Show>
              <span class="chat__author">{message.author.name}</span>{' '}
              <Show when={!message.deleted} fallback={<em class="chat__deleted">message removed</em>}>
                <span class="chat__text">
                  <For each={linkify(message.text)}>
                    {(part) => (part.href ? <a href={part.href} target="_blank" rel="noopener noreferrer nofollow ugc">{part.text}</a> : part.text)}
                  </For>
                </span>
                <div class="chat__actions">
                  <For each={REACTIONS}>
                    {(emoji) => (
                      <button type="button" class="chat__reaction" aria-label={`React ${emojiName(emoji)}`}
                        onClick={() => void act(() => client.request('chat.react', { messageId: message.id, emoji }))}>
                        <Emoji emoji={emoji} /><Show when={message.reactions[emoji]}> {message.reactions[emoji]}</Show>
                      </button>
                    )}
                  </For>
                  <button type="button" class="chat__action" onClick={() => setReplyTo(message)}>Reply</button>
                  <button type="button" class="chat__action"
                    onClick={() => { setDraft(`${draft()}@${message.author.name} `.trimStart()); setMentioned([...mentioned(), message.author]); }}>
                    Mention
                  </button>
                  <Show when={props.onMessagePerson && message.author.id !== me() && !props.channel.startsWith('dm:')}>
                    <button type="button" class="chat__action" onClick={() => props.onMessagePerson?.(message.author)}>Message {message.author.name}</button>
                  </Show>
                  <Show when={message.author.id !== me()}>
                    <button type="button" class="chat__action" aria-haspopup="dialog" aria-disabled={reported().has(message.id) || undefined}
                      onClick={(e) => {
                        if (reported().has(message.id)) return;
                        reportOpener = e.currentTarget;
                        setNotice('');
                        setReporting(message);
                      }}>
                      {reported().has(message.id) ? 'Reported' : 'Report'}
                    </button>
                    <button type="button" class="chat__action"
                      onClick={() => void act(() => client.request('chat.block', { userId: message.author.id }))}>Block {message.author.name}</button>
                  </Show>
                  <Show when={message.author.id === me() || canModerate()}>
                    <button type="button" class="chat__action"
                      onClick={() => void act(() => client.request('chat.delete', { messageId: message.id }))}>Delete</button>
                  </Show>
                  <Show when={canModerate()}>
                    <button type="button" class="chat__action"
                      onClick={() => void act(() => client.request('chat.mute', { channel: props.channel, userId: message.author.id, minutes: 10 }))}>Mute 10 min</button>
                    <button type="button" class="chat__action"
                      onClick={() => void act(() => client.request('chat.pin', { channel: props.channel, messageId: message.id }))}>Pin</button>
                  </Show>
                </div>
              </Show>
            </li>
          )}
        </For>
      </ol>
      <Show when={joined() && messages.length === 0}><p class="form-note chat__empty">{settings().disabled ? 'No messages.' : 'No messages yet. Say hello.'}</p></Show>
      <Show when={canModerate()}>
        <div class="chat__moderation" role="group" aria-label="Chat moderation">
          <label>
            Slow mode{' '}
            <select value={settings().slowModeSeconds}
              onChange={(e) => void act(() => client.request('chat.settings', { channel: props.channel, slowModeSeconds: Number(e.currentTarget.value) }))}>
              <option value="0">Off</option>
              <option value="5">5 s</option>
              <option value="30">30 s</option>
              <option value="60">1 min</option>
            </select>
          </label>
          <button type="button" class="button"
            onClick={() => void act(() => client.request('chat.settings', { channel: props.channel, disabled: !settings().disabled }))}>
            {settings().disabled ? 'Enable chat' : 'Disable chat'}
          </button>
          <Show when={settings().pinnedMessageId !== null}>
            <button type="button" class="button" onClick={() => void act(() => client.request('chat.pin', { channel: props.channel, messageId: null }))}>Unpin</button>
          </Show>
          <button type="button" class="button" aria-expanded={moderating()} onClick={() => setModerating(!moderating())}>Reports and mutes</button>
        </div>
        <Show when={moderating()}><ModerationPanel channel={props.channel} eventId={eventId() || undefined} /></Show>
      </Show>
      <ReportDialog message={reporting()} isPrivate={props.channel.startsWith('dm:')} onReported={reportedAs} onClose={closeReport} />
      <Show when={error() && !closedBecause()}><p class="field__error" role="alert">{error()}</p></Show>
      <p class="form-note chat__notice" role="status">{notice()}</p>
      <Show when={closedBecause()}>
        <p class="field__error chat__closed" role="alert">{closedBecause()}. Messages already shown stay here; new ones no longer arrive.</p>
      </Show>
      <Show when={!closedBecause()}>
        <form class="chat__form" onSubmit={send}>
          <Show when={replyTo()}>
            {(target) => (
              <p class="chat__replying">
                Replying to {target().author.name}{' '}
                <button type="button" class="chat__action" onClick={() => setReplyTo(null)}>Cancel reply</button>
              </p>
            )}
          </Show>
          {/* Named after its channel: the room's chat and an open conversation can be on screen at once. */}
          <label class="visually-hidden" for={id()}>New message in {props.label.toLowerCase()}</label>
          <input id={id()} class="field__input" maxLength={MAX_LENGTH} value={draft()} placeholder={settings().disabled ? 'Chat is disabled' : 'Write a message'}
            disabled={settings().disabled && !canModerate()} onInput={(e) => setDraft(e.currentTarget.value)} autocomplete="off" />
          <button type="submit" class="button button--primary">Send</button>
        </form>
      </Show>
      <Show when={settings().slowModeSeconds > 0}><p class="form-note">Slow mode: one message every {settings().slowModeSeconds} s.</p></Show>
    </section>
  );
}
