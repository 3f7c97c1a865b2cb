/**
 * The live room's side panel: the session's chat, Q&A, polls and private messages as tabs,
 * with the reaction bar under them. A "Message" request from elsewhere (the participant
 * list) opens the Messages tab. The room page mounts it; the event lobby page can mount ChatPanel alone.
 */
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { useRealtime } from '../shell/realtime-context.tsx';
import { ChatPanel } from './ChatPanel.tsx';
import { PollsPanel } from './PollsPanel.tsx';
import { PrivateMessages, type PrivateMessagesHandle } from './PrivateMessages.tsx';
import { QaPanel } from './QaPanel.tsx';
import { onPush } from './protocol.ts';
import { ReactionBar } from './ReactionBar.tsx';
import './chat.css';

const TABS = [
  { id: 'chat', label: 'Chat' },
  { id: 'qa', label: 'Q&A' },
  { id: 'polls', label: 'Polls' },
  { id: 'messages', label: 'Messages' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function RoomSidePanel(props: { eventId: string; sessionId: string; isHost: boolean }) {
  const { client } = useRealtime();
  const [tab, setTab] = createSignal<Tab>('chat');
  // Chat messages that arrived while another tab was showing.
  const [unseen, setUnseen] = createSignal(0);
  // Unread private messages, from the Messages panel.
  const [unreadPrivate, setUnreadPrivate] = createSignal(0);
  let messages: PrivateMessagesHandle | undefined;
  // The companion page knows only the session: the chat's join reply names the event.
  const [joinedEventId, setJoinedEventId] = createSignal('');
  const eventId = () => props.eventId || joinedEventId();
  const messagePerson = (person: { id: string; name: string }) => {
    show('messages');
    messages?.open(person);
  };
  const channel = () => `session:${props.sessionId}`;
  const show = (next: Tab) => {
    setTab(next);
    if (next === 'chat') setUnseen(0);
  };
  onCleanup(onPush(client, 'chat.message', ({ message }) => {
    if (message.channel === channel() && tab() !== 'chat') setUnseen(unseen() + 1);
  }));
  const tabs: HTMLButtonElement[] = [];
  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
  const onKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (index + step + TABS.length) % TABS.length;
    show(TABS[next].id);
    tabs[next]?.focus();
  };
  return (
    <aside class="room-side" aria-label="Chat, questions and polls" data-host={props.isHost ? 'true' : undefined}>
      <div class="room-side__tabs" role="tablist" aria-label="Room panels">
        <For each={TABS}>
          {(item, index) => (
            <button ref={(el) => (tabs[index()] = el)} type="button" role="tab" id={`room-tab-${item.id}`}
              class="room-side__tab" aria-selected={tab() === item.id} aria-controls={`room-panel-${item.id}`}
              tabIndex={tab() === item.id ? 0 : -1} onClick={() => show(item.id)} onKeyDown={(e) => onKey(e, index())}>
              {item.label}
              <Show when={item.id === 'chat' && unseen() > 0}>
                {' '}<span class="room-side__badge">{unseen()}<span class="visually-hidden"> new</span></span>
              </Show>
              <Show when={item.id === 'messages' && unreadPrivate() > 0}>
                {' '}<span class="room-side__badge">{unreadPrivate()}<span class="visually-hidden"> unread</span></span>
              </Show>
            </button>
          )}
        </For>
      </div>
      {/* All three stay mounted (hidden when not shown), so they keep their subscriptions and state. */}
      <div class="room-side__panel" role="tabpanel" id="room-panel-chat" aria-labelledby="room-tab-chat" hidden={tab() !== 'chat'}>
        <ChatPanel channel={channel()} label="Session chat" onMessagePerson={messagePerson} onJoin={(reply) => setJoinedEventId(reply.eventId)} />
      </div>
      <div class="room-side__panel" role="tabpanel" id="room-panel-qa" aria-labelledby="room-tab-qa" hidden={tab() !== 'qa'}>
        <QaPanel sessionId={props.sessionId} />
      </div>
      <div class="room-side__panel" role="tabpanel" id="room-panel-polls" aria-labelledby="room-tab-polls" hidden={tab() !== 'polls'}>
        <PollsPanel sessionId={props.sessionId} />
      </div>
      <div class="room-side__panel" role="tabpanel" id="room-panel-messages" aria-labelledby="room-tab-messages" hidden={tab() !== 'messages'}>
        <Show when={eventId()} keyed>
          {(id) => (
            <PrivateMessages eventId={id} onUnread={setUnreadPrivate} ref={(handle) => (messages = handle)}
              onRequested={() => show('messages')} />
          )}
        </Show>
      </div>
      <ReactionBar sessionId={props.sessionId} />
    </aside>
  );
}
