/**
 * Who is in the room: hosts see the lobby (admit, admit all, deny) and the hand queue first,
 * then everyone with their role, microphone, camera and hand, searchable, each with the host
 * actions; everyone else sees the list.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import type { RoomMedia } from './room-media.ts';
import type { Participant } from './signaling.ts';

const STATE_LABEL = { on: 'on', off: 'off', none: 'none' } as const;

/** The host actions for one participant, as a row of labelled buttons. */
export function HostActions(props: { media: RoomMedia; person: Participant; compact?: boolean }) {
  const p = () => props.person;
  const act = (t: string, extra: Record<string, unknown> = {}) => void props.media.act(t, { peerId: p().peerId, ...extra });
  const name = () => p().name;
  return (
    <div class="host-actions" role="group" aria-label={`Host actions for ${name()}`}>
      <Show when={p().microphone === 'on'}>
        <button type="button" class="chip" onClick={() => act('room.peer.mute', { source: 'microphone', allowUnmute: true })} aria-label={`Mute ${name()}'s microphone`}>Mute</button>
        <Show when={!props.compact}>
          <button type="button" class="chip" onClick={() => act('room.peer.mute', { source: 'microphone', allowUnmute: false })} aria-label={`Mute ${name()}'s microphone until you allow it`}>Mute and hold</button>
        </Show>
      </Show>
      <Show when={p().camera === 'on'}>
        <button type="button" class="chip" onClick={() => act('room.peer.mute', { source: 'camera', allowUnmute: true })} aria-label={`Turn off ${name()}'s camera`}>Camera off</button>
      </Show>
      <For each={p().locked}>
        {(source) => (
          <button type="button" class="chip" onClick={() => act('room.peer.allowUnmute', { source })} aria-label={`Allow ${name()} to turn their ${source} on`}>Allow {source}</button>
        )}
      </For>
      <Show when={p().screen}>
        <button type="button" class="chip" onClick={() => act('room.peer.stopScreen')} aria-label={`Stop ${name()}'s screen share`}>Stop share</button>
      </Show>
      <Show when={p().role === 'attendee'}>
        <button type="button" class="chip chip--primary" onClick={() => act('room.peer.setRole', { role: 'speaker' })} aria-label={`Bring ${name()} on stage`}>Bring on stage</button>
      </Show>
      <Show when={p().role === 'speaker'}>
        <button type="button" class="chip" onClick={() => act('room.peer.setRole', { role: 'attendee' })} aria-label={`Send ${name()} back to the audience`}>Back to audience</button>
      </Show>
      <Show when={!props.compact}>
        <Show when={p().role !== 'host'}>
          <button type="button" class="chip" onClick={() => act('room.peer.setRole', { role: 'host' })} aria-label={`Make ${name()} a host`}>Make host</button>
        </Show>
        <button type="button" class="chip chip--danger" onClick={() => act('room.peer.remove', { ban: false })} aria-label={`Remove ${name()} from the room`}>Remove</button>
        <button type="button" class="chip chip--danger" onClick={() => act('room.peer.remove', { ban: true })} aria-label={`Remove ${name()} and ban them from this room`}>Ban</button>
      </Show>
    </div>
  );
}

export function ParticipantPanel(props: { media: RoomMedia; isHost: boolean }) {
  const [query, setQuery] = createSignal('');
  const view = props.media.view;
  const people = createMemo(() => {
    const q = query().trim().toLowerCase();
    const all = view.state?.participants ?? [];
    return all.filter((p) => !q || p.name.toLowerCase().includes(q));
  });
  const hands = createMemo(() => (view.state?.participants ?? []).filter((p) => p.hand !== null).sort((a, b) => a.hand! - b.hand!));

  return (
    <section class="participants" aria-labelledby="participants-title">
      <h2 id="participants-title" class="participants__title">People ({view.state?.participants.length ?? 0})</h2>
      <Show when={props.isHost}>
        <div class="participants__host">
          <label class="check">
            <input type="checkbox" checked={view.state?.locked ?? false} onChange={(e) => void props.media.act('room.lock', { locked: e.currentTarget.checked })} />
            Lock the room (newcomers wait in the lobby)
          </label>
        </div>
        <Show when={view.lobbyEntries.length > 0}>
          <section class="participants__group" aria-labelledby="lobby-title">
            <h3 id="lobby-title">Waiting in the lobby ({view.lobbyEntries.length})</h3>
            <button type="button" class="chip chip--primary" onClick={() => void props.media.act('room.lobby.admit', {})}>Admit all</button>
            <ul class="people">
              <For each={view.lobbyEntries}>
                {(entry) => (
                  <li class="people__row">
                    <span class="people__name">{entry.name}</span>
                    <button type="button" class="chip chip--primary" onClick={() => void props.media.act('room.lobby.admit', { lobbyId: entry.id })} aria-label={`Admit ${entry.name}`}>Admit</button>
                    <button type="button" class="chip chip--danger" onClick={() => void props.media.act('room.lobby.deny', { lobbyId: entry.id })} aria-label={`Deny ${entry.name}`}>Deny</button>
                  </li>
                )}
              </For>
            </ul>
          </section>
        </Show>
        <Show when={hands().length > 0}>
          <section class="participants__group" aria-labelledby="hands-title">
            <h3 id="hands-title">Raised hands ({hands().length})</h3>
            <ol class="people">
              <For each={hands()}>
                {(person) => (
                  <li class="people__row">
                    <span class="people__name">{person.name}</span>
                    <Show when={person.role === 'attendee'}>
                      <button type="button" class="chip chip--primary" onClick={() => void props.media.act('room.peer.setRole', { peerId: person.peerId, role: 'speaker' })} aria-label={`Bring ${person.name} on stage`}>Bring on stage</button>
                    </Show>
                    <button type="button" class="chip" onClick={() => void props.media.act('room.hand.lower', { peerId: person.peerId })} aria-label={`Lower ${person.name}'s hand`}>Lower hand</button>
                  </li>
                )}
              </For>
            </ol>
          </section>
        </Show>
      </Show>
      <label class="field participants__search">
        <span class="field__label">Search people</span>
        <input class="field__input" type="search" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <ul class="people" aria-label="Participants">
        <For each={people()}>
          {(person) => (
            <li class="people__row people__row--stack" data-testid="participant" data-name={person.name}>
              <div class="people__line">
                <span class="people__name">{person.name}{person.peerId === view.peerId ? ' (you)' : ''}</span>
                <span class="people__role">{person.role}</span>
                <span class="people__media">Mic {STATE_LABEL[person.microphone]} · Camera {STATE_LABEL[person.camera]}{person.screen ? ' · Sharing' : ''}</span>
                <Show when={person.hand}><span class="tile__badge tile__badge--hand">✋ {person.hand}</span></Show>
              </div>
              <Show when={props.isHost && person.peerId !== view.peerId}>
                <HostActions media={props.media} person={person} />
              </Show>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
