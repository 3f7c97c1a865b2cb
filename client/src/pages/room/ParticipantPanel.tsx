/**
 * Who is in the room: hosts see the lobby (admit, admit all, deny) and the hand queue first,
 * then everyone with their role, microphone, camera and hand, searched and paged on the
 * server, each with the host actions; everyone else sees the stage and the audience count.
 */
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { MessagePersonButton } from '../../chat/PrivateMessages.tsx';
import { Emoji } from '../../ui/emoji.tsx';
import type { RoomMedia } from './room-media.ts';
import type { Participant, ParticipantPage } from './signaling.ts';

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

/** One person's row: name, role, media, hand, and the host actions for hosts. */
function PersonRow(props: { media: RoomMedia; person: Participant; isHost: boolean }) {
  const p = () => props.person;
  return (
    <li class="people__row people__row--stack" data-testid="participant" data-name={p().name}>
      <div class="people__line">
        <span class="people__name">{p().name}{p().peerId === props.media.view.peerId ? ' (you)' : ''}</span>
        <span class="people__role">{p().role}</span>
        <span class="people__media">Mic {STATE_LABEL[p().microphone]} · Camera {STATE_LABEL[p().camera]}{p().screen ? ' · Sharing' : ''}</span>
        <Show when={p().hand}><span class="tile__badge tile__badge--hand"><Emoji emoji="✋" size="1em" /> {p().hand}</span></Show>
      </div>
      <Show when={p().peerId !== props.media.view.peerId}>
        <MessagePersonButton person={{ id: p().identity, name: p().name }} />
      </Show>
      <Show when={props.isHost && p().peerId !== props.media.view.peerId}>
        <HostActions media={props.media} person={p()} />
      </Show>
    </li>
  );
}

/** The most often a host's list of everyone is reloaded while the room changes. */
const REFRESH_MS = 1_000;

/**
 * Everyone in the room, for hosts: searched and paged on the server (`room.participants`),
 * since the audience is never pushed; reloaded when the room changes (at most once a
 * second), with stage people's live state from the room's own state.
 */
function EveryoneList(props: { media: RoomMedia }) {
  const view = props.media.view;
  const [query, setQuery] = createSignal('');
  const [page, setPage] = createSignal<ParticipantPage>({ participants: [], next: null, total: 0 });
  let loadedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const load = async (more: boolean) => {
    clearTimeout(timer);
    timer = undefined;
    loadedAt = performance.now();
    const q = query().trim();
    const shown = page().participants.length;
    const result = await props.media
      .participants({ ...(q ? { query: q } : {}), ...(more && page().next ? { cursor: page().next! } : {}), limit: more ? 50 : Math.min(100, Math.max(50, shown)) })
      .catch(() => null);
    if (!result || q !== query().trim()) return;
    setPage(more ? { ...result, participants: [...page().participants, ...result.participants] } : result);
  };
  const later = (ms: number) => {
    if (timer === undefined) timer = setTimeout(() => void load(false), ms);
  };
  createEffect(on(query, () => {
    clearTimeout(timer);
    timer = undefined;
    later(250);
  }, { defer: true }));
  createEffect(on(() => view.state?.version, () => later(Math.max(0, loadedAt + REFRESH_MS - performance.now()))));
  onCleanup(() => clearTimeout(timer));
  const live = (person: Participant) => view.state?.stage.find((p) => p.peerId === person.peerId) ?? person;

  return (
    <>
      <label class="field participants__search">
        <span class="field__label">Search people</span>
        <input class="field__input" type="search" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <Show when={query().trim()}><p class="participants__count" role="status">{page().total} found</p></Show>
      <ul class="people" aria-label="Participants">
        <For each={page().participants}>{(person) => <PersonRow media={props.media} person={live(person)} isHost />}</For>
      </ul>
      <Show when={page().next}>
        <button type="button" class="chip" onClick={() => void load(true)}>Show more people</button>
      </Show>
    </>
  );
}

export function ParticipantPanel(props: { media: RoomMedia; isHost: boolean }) {
  const view = props.media.view;
  const stage = () => view.state?.stage ?? [];
  const hands = createMemo(() => stage().filter((p) => p.hand !== null).sort((a, b) => a.hand! - b.hand!));
  const audience = () => view.state?.audience ?? 0;
  const everyone = () => stage().filter((p) => p.role !== 'attendee').length + audience();

  return (
    <section class="participants" aria-labelledby="participants-title">
      <h2 id="participants-title" class="participants__title">People ({everyone()})</h2>
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
        <EveryoneList media={props.media} />
      </Show>
      <Show when={!props.isHost}>
        <ul class="people" aria-label="On stage">
          <For each={stage()}>{(person) => <PersonRow media={props.media} person={person} isHost={false} />}</For>
        </ul>
        <p class="participants__count" data-testid="panel-audience">{audience()} in the audience</p>
      </Show>
    </section>
  );
}
