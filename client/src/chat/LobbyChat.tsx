/**
 * An event's lobby chat with the caller's private messages under it: "Message <name>" on
 * a lobby message opens that conversation in the Messages section.
 */
import { createSignal, Show } from 'solid-js';
import { ChatPanel } from './ChatPanel.tsx';
import { PrivateMessages, type PrivateMessagesHandle } from './PrivateMessages.tsx';
import './chat.css';

export function LobbyChat(props: { eventId: string }) {
  const [unread, setUnread] = createSignal(0);
  let messages: PrivateMessagesHandle | undefined;
  let section: HTMLElement | undefined;
  const messagePerson = (person: { id: string; name: string }) => {
    messages?.open(person);
    section?.scrollIntoView({ block: 'nearest' });
  };
  return (
    <div class="lobby-chat">
      <ChatPanel channel={`event:${props.eventId}`} label="Lobby chat" onMessagePerson={messagePerson} />
      <section ref={section} class="lobby-chat__messages" aria-labelledby="lobby-messages-title">
        <h3 id="lobby-messages-title" class="messages__title">
          Messages<Show when={unread() > 0}> <span class="room-side__badge">{unread()}<span class="visually-hidden"> unread</span></span></Show>
        </h3>
        <PrivateMessages eventId={props.eventId} onUnread={setUnread} ref={(handle) => (messages = handle)} />
      </section>
    </div>
  );
}
