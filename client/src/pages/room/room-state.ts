/**
 * The room's state on the page (sfu/room-roster.ts): the snapshot a join or `room.state`
 * brings, moved forward by `room.delta` pushes. A delta names the version it follows; one
 * that does not follow on what the page has asks for a new snapshot.
 */
import { produce, reconcile, type SetStoreFunction } from 'solid-js/store';
import type { RealtimeClient } from '../../api/realtime.ts';
import type { RoomView } from './room-view.ts';
import { call, type RoomDelta, type RoomSnapshot } from './signaling.ts';

export class RoomStateSync {
  readonly #view: RoomView;
  readonly #set: SetStoreFunction<RoomView>;
  readonly #client: RealtimeClient;
  // A `room.state` request in flight after a delta that did not follow on.
  #resyncing: Promise<void> | undefined;

  constructor(view: RoomView, set: SetStoreFunction<RoomView>, client: RealtimeClient) {
    this.#view = view;
    this.#set = set;
    this.#client = client;
  }

  /** Takes a snapshot (and the lobby, for hosts); a join's always, another only when it is not older. */
  apply(reply: RoomSnapshot, joining = false): void {
    const current = this.#view.state;
    // A snapshot older than the deltas already applied would take the page back.
    if (joining || !current || reply.state.version >= current.version) this.#set('state', reconcile(reply.state, { key: 'peerId' }));
    if (reply.lobby) this.#set('lobbyEntries', reconcile(reply.lobby.entries));
  }

  /** Asks for a snapshot (once, however many deltas did not follow on meanwhile). */
  resync(): void {
    this.#resyncing ??= call<RoomSnapshot>(this.#client, 'room.state')
      .then((snapshot) => this.apply(snapshot), () => {})
      .finally(() => (this.#resyncing = undefined));
  }

  /** Moves the state forward by one delta. */
  delta({ from, upsert, remove, ...rest }: RoomDelta): void {
    const current = this.#view.state;
    if (!current || rest.version <= current.version) return;
    if (from !== current.version) return this.resync();
    this.#set('state', produce((state) => {
      if (!state) return;
      Object.assign(state, rest);
      const gone = new Set(remove);
      state.stage = state.stage.filter((p) => !gone.has(p.peerId));
      for (const person of upsert) {
        const at = state.stage.findIndex((p) => p.peerId === person.peerId);
        if (at < 0) state.stage.push(person);
        else state.stage[at] = person;
      }
    }));
  }
}
