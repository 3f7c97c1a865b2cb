/**
 * Private one-to-one messages in an event: the "Messages" list (newest first, unread
 * counts, live as messages arrive on the user's topic) and the open conversation. A
 * conversation starts from a person: a chat message's author, the room's participants
 * (`requestConversation`), or the list. The organizer's switch and blocks are the server's
 * to enforce; this shows what it says.
 */
import { createEffect, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import type { RealtimeError } from '../api/realtime.ts';
import { useRealtime } from '../shell/realtime-context.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { type ChatAuthor, type Conversation, onPush, withIncoming } from './protocol.ts';

// Someone to start a conversation with, asked for from outside the panel (the participant list).
const [requested, setRequested] = createSignal<ChatAuthor | null>(null);

// Pages told of each request, so they can bring the Messages panel forward.
const requestListeners = new Set<(person: ChatAuthor) => void>();

/** Asks the Messages panel (now, or as soon as it mounts) to open a conversation with this person. */
export function requestConversation(person: ChatAuthor): void {
  setRequested({ ...person });
  for (const listener of requestListeners) listener(person);
}

/** Calls `listener` on each requestConversation; returns the unsubscribe function. */
export function onConversationRequested(listener: (person: ChatAuthor) => void): () => void {
  requestListeners.add(listener);
  return () => requestListeners.delete(listener);
}

/** A button that starts a private conversation; `onRequested` lets the page show the Messages panel. */
export function MessagePersonButton(props: { person: ChatAuthor; onRequested?: () => void }) {
  return (
    <button type="button" class="chip" aria-label={`Message ${props.person.name} privately`}
      onClick={() => { requestConversation(props.person); props.onRequested?.(); }}>
      Message
    </button>
  );
}

export type PrivateMessagesHandle = { open(person: ChatAuthor): void };

export function PrivateMessages(props: {
  eventId: string;
  /** Called with the total of unread private messages whenever it changes. */
  onUnread?: (count: number) => void;
  /** Receives the way to open a conversation (the chat panel's "Message" button uses it). */
  ref?: (handle: PrivateMessagesHandle) => void;
  /** Called when `requestConversation` opens one, so the page can bring this panel forward. */
  onRequested?: () => void;
}) {
  const { client } = useRealtime();
  const [enabled, setEnabled] = createSignal(true);
  const [conversations, setConversations] = createSignal<Conversation[]>([]);
  const [current, setCurrent] = createSignal<{ channel: string; peer: ChatAuthor } | null>(null);
  const [error, setError] = createSignal('');

  const load = async () => {
    try {
      const reply = await client.request('chat.conversations', { eventId: props.eventId });
      setEnabled(reply.enabled);
      setConversations(reply.conversations);
    } catch (e) {
      setError((e as RealtimeError).message);
    }
  };
  const open = async (person: ChatAuthor) => {
    try {
      const reply = await client.request('chat.open', { eventId: props.eventId, userId: person.id });
      setConversations((list) => list.map((c) => (c.channel === reply.channel ? { ...c, unread: 0 } : c)));
      setCurrent(reply);
      setError('');
    } catch (e) {
      setError((e as RealtimeError).message);
    }
  };
  props.ref?.({ open: (person) => void open(person) });

  createEffect(() => props.onUnread?.(conversations().reduce((sum, c) => sum + c.unread, 0)));
  createEffect(on(requested, (person) => {
    if (!person) return;
    setRequested(null);
    props.onRequested?.();
    void open(person);
  }));
  onCleanup(onPush(client, 'chat.conversation', (push) => {
    if (push.channel.startsWith(`dm:${props.eventId}:`)) setConversations((list) => withIncoming(list, push, current()?.channel ?? null));
  }));
  // A moderator deleted a private message (one reported): the list may show it as the last one.
  onCleanup(onPush(client, 'chat.deleted', (push) => push.channel.startsWith(`dm:${props.eventId}:`) && void load()));
  // A new socket, or a resync of the user topic (a slow reader lost pushes): ask again.
  onCleanup(client.onStatus((status) => status === 'open' && void load()));
  onCleanup(onPush(client, 'sys.resync', (push) => push.topics.some((t) => t.startsWith('user:')) && void load()));
  onMount(() => void load());

  const back = () => {
    const left = current()?.channel;
    setCurrent(null);
    // The conversation just left was read on screen, whatever the server has recorded yet.
    void load().then(() => setConversations((list) => list.map((c) => (c.channel === left ? { ...c, unread: 0 } : c))));
  };

  return (
    <section class="messages" aria-label="Private messages">
      <Show when={error()}><p class="field__error" role="alert">{error()}</p></Show>
      <Show when={current()} fallback={
        <Show when={enabled()} fallback={<p class="form-note">The organizer turned private messages off for this event.</p>}>
          <Show when={conversations().length > 0} fallback={<p class="form-note">No messages yet. Use “Message” beside someone's chat message to write to them.</p>}>
            <ul class="messages__list">
              <For each={conversations()}>
                {(c) => (
                  <li>
                    <button type="button" class="messages__item" data-testid="conversation" onClick={() => void open(c.peer)}
                      aria-label={`Conversation with ${c.peer.name}${c.unread ? `, ${c.unread} unread` : ''}${c.blocked ? ', blocked' : ''}`}>
                      <span class="messages__peer">{c.peer.name}</span>
                      <Show when={c.unread > 0}><span class="room-side__badge">{c.unread}</span></Show>
                      <span class="messages__last">{c.blocked ? 'Blocked' : c.last?.text ?? ''}</span>
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Show>
      }>
        {(conversation) => (
          <div class="messages__conversation">
            <div class="messages__header">
              <button type="button" class="button" onClick={back}>← All messages</button>
              <h3 class="messages__title">{conversation().peer.name}</h3>
            </div>
            <Show when={conversation().channel} keyed>
              {(channel) => <ChatPanel channel={channel} label={`Conversation with ${conversation().peer.name}`} />}
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
