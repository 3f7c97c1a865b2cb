/**
 * The media side of the room page, as the page uses it: joining (through the lobby when
 * there is one), the room's people, state and host actions, and surviving a dropped socket:
 * the resumed join keeps media that is still flowing and starts over when the server says
 * its media was lost (`restarted`), or when a media worker restarted under it. It keeps
 * what the page shows in a Solid store, and leaves the media itself to three parts:
 * media-transports.ts (device and transports), local-media.ts (what we publish) and
 * remote-media.ts (what we receive).
 */
import type { types } from 'mediasoup-client';
import { createStore, produce, reconcile } from 'solid-js/store';
import type { RealtimeClient } from '../../api/realtime.ts';
import type { LocalChoice, RoomView } from './room-view.ts';
import { call, type JoinReply, type LobbyEntry, type MediaSource, onPush, type ParticipantPage, type PeerInfo, type RoomDelta, type RoomRole } from './signaling.ts';
import { RoomStateSync } from './room-state.ts';
import type { TrackStats } from './track-stats.ts';
import { localOff, type MediaContext, MediaTransports, type Subscribe } from './media-transports.ts';
import { LocalMedia } from './local-media.ts';
import { RemoteMedia } from './remote-media.ts';

export type { LocalChoice, RemoteTrack, RoomView } from './room-view.ts';

export class RoomMedia {
  readonly view: RoomView;
  readonly #set: ReturnType<typeof createStore<RoomView>>[1];
  readonly #client: RealtimeClient;
  // The room's flags, stage and audience count, kept up to date from pushes.
  readonly #state: RoomStateSync;
  // The join token; a fresh one replaces it when the server says it expired.
  #token: string;
  readonly #refreshToken: () => Promise<string>;
  // The device and the send and receive transports.
  readonly #transports: MediaTransports;
  // Our microphone, camera and screen.
  readonly #local: LocalMedia;
  // Everyone else's tracks.
  readonly #remote: RemoteMedia;
  // Removes the push, status and page listeners (close()).
  readonly #unsubscribe: (() => void)[] = [];
  /**
   * Where the time of the last join went, for the join-latency benchmark and support: each
   * step's end in milliseconds after the click (`joinAt`, a performance.now() time).
   */
  readonly timings: { joinAt: number; steps: Record<string, number> } = { joinAt: 0, steps: {} };
  #mark(step: string): void {
    this.timings.steps[step] ??= performance.now() - this.timings.joinAt;
  }

  constructor(client: RealtimeClient, token: string, refreshToken: () => Promise<string>, routerRtpCapabilities?: types.RtpCapabilities | null) {
    const [view, set] = createStore<RoomView>({
      phase: 'idle', error: '', lobby: null, peerId: '', role: 'attendee', peers: {}, tracks: {},
      local: localOff(), activeSpeaker: null, state: null,
      lobbyEntries: [], reconnecting: false, notice: '',
    });
    this.view = view;
    this.#set = set;
    this.#client = client;
    this.#state = new RoomStateSync(view, set, client);
    this.#token = token;
    this.#refreshToken = refreshToken;
    const ctx: MediaContext = { client, view, set, mark: (step) => this.#mark(step) };
    // Readies a device while the person picks devices, for the first join (see join()).
    this.#transports = new MediaTransports(ctx, routerRtpCapabilities);
    this.#local = new LocalMedia(ctx, this.#transports);
    this.#remote = new RemoteMedia(ctx, this.#transports);
    this.#listen();
  }

  /** The track of a consumer or of a local producer, for <video>/<audio> elements. */
  track(consumerId: string): MediaStreamTrack | undefined {
    return this.#remote.track(consumerId);
  }
  localTrack(source: MediaSource): MediaStreamTrack | undefined {
    return this.#local.track(source);
  }

  async join(choice: LocalChoice): Promise<void> {
    this.#local.choose(choice);
    this.timings.joinAt = performance.now();
    this.timings.steps = {};
    this.#set({ phase: 'joining', error: '' });
    // With a device readied beforehand, the join itself makes the transports and consumes the
    // room's producers: one round trip instead of four (capabilities, two transports, consume).
    const device = await this.#transports.readied();
    const early = device ? { rtpCapabilities: device.rtpCapabilities, transports: ['recv', 'send'] } : {};
    const ask = () => call<JoinReply>(this.#client, 'media.join', { token: this.#token, ...early });
    let reply: JoinReply;
    try {
      reply = await ask();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'unauthorized') {
        // The token expired while waiting: ask for a fresh one once.
        this.#token = await this.#refreshToken();
        reply = await ask().catch((e: Error) => this.#fail(e));
      } else return void this.#fail(error as Error);
    }
    if (!reply) return;
    if (reply.lobby) {
      this.#set({ phase: 'lobby', lobby: reply.lobby });
      return;
    }
    await this.#enter(reply, device);
  }

  #fail(error: Error): never {
    this.#set({ phase: 'failed', error: error.message });
    throw error;
  }

  async #enter(reply: Exclude<JoinReply, { lobby: object }>, early?: types.Device): Promise<void> {
    const transports = this.#transports;
    const fresh = !reply.resumed || reply.restarted || !transports.device;
    this.#mark('joinReply');
    this.#remote.startEntering();
    this.#set(produce((v) => {
      v.phase = 'in';
      v.lobby = null;
      v.peerId = reply.peerId;
      v.role = reply.role;
      v.reconnecting = false;
      v.peers = Object.fromEntries(reply.peers.map((p) => [p.id, p]));
    }));
    // A join starts from its reply's snapshot (the room may be a new one under the same name).
    this.#state.apply(reply.room, true);
    transports.iceServers = reply.iceServers;
    // The join made our transports (and consumers) only when it could use the early device.
    const given = early && reply.transports?.recv ? reply.transports : undefined;
    if (fresh) {
      this.#dropMedia();
      if (given) transports.adopt(early!);
      else {
        await transports.load(reply.routerRtpCapabilities);
        this.#mark('deviceLoaded');
      }
    }
    if (!given) await call(this.#client, 'media.capabilities', { rtpCapabilities: transports.device!.rtpCapabilities });
    if (given?.send) transports.make('send', given.send);
    if (given?.recv) transports.make('recv', given.recv);
    else if (fresh || !transports.recv) await transports.create('recv');
    this.#mark('recvTransport');
    await this.#remote.catchUp(reply.producers, given ? reply.consumers : undefined);
    this.#remote.doneEntering();
    if (reply.role !== 'attendee' && (fresh || !transports.send)) await this.#local.start();
    this.#mark('entered');
  }

  /**
   * A media worker died under the room: our place (and socket) stays, our media does not.
   * Everyone's producers went with it, so there is nothing to consume until peers publish
   * again (announced as usual); we set up afresh and publish again ourselves.
   */
  async #restartMedia(routerRtpCapabilities: types.RtpCapabilities): Promise<void> {
    this.#remote.startEntering();
    this.#dropMedia();
    try {
      const device = await this.#transports.load(routerRtpCapabilities);
      await call(this.#client, 'media.capabilities', { rtpCapabilities: device.rtpCapabilities });
      await this.#transports.create('recv');
      await this.#remote.consumeAnnounced();
    } finally {
      this.#remote.doneEntering();
    }
    if (this.view.role !== 'attendee') await this.#local.start();
  }

  /** Turns the microphone or camera on or off (pausing, so others see it muted rather than gone). */
  toggle(source: 'microphone' | 'camera'): Promise<void> {
    return this.#local.toggle(source);
  }

  toggleScreen(): Promise<void> {
    return this.#local.toggleScreen();
  }

  /** Pauses a video consumer nobody can see, resumes one that came into view, and picks its layer by size. */
  setVisibility(consumerId: string, visible: boolean, width: number): Promise<void> {
    return this.#remote.setVisibility(consumerId, visible, width);
  }

  /** Sends a host action or a participant request; failures become the notice. */
  async act(t: string, payload: Record<string, unknown> = {}): Promise<boolean> {
    try {
      await call(this.#client, t, payload);
      return true;
    } catch (error) {
      this.#set('notice', (error as Error).message);
      return false;
    }
  }

  /** Per remote track: frames decoded and bytes received so far (diagnostics, the join-latency bench, tests). */
  stats(): Promise<TrackStats[]> {
    return this.#remote.stats();
  }

  dismissNotice(): void {
    this.#set('notice', '');
  }

  async leave(): Promise<void> {
    await call(this.#client, 'media.leave').catch(() => {});
    this.close();
  }

  /** Stops every local track and transport and every listener. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#dropMedia();
  }

  /** Ends our media (producers, consumers, transports) and what the page shows of it, in one store update. */
  #dropMedia(): void {
    this.#local.drop();
    this.#remote.drop();
    this.#transports.close();
    this.#set(produce((v) => {
      v.tracks = {};
      v.local = localOff();
    }));
  }

  /** A page of everyone in the room whose name contains `query` (hosts only). */
  participants(input: { query?: string; cursor?: string; limit?: number }): Promise<ParticipantPage> {
    return call<ParticipantPage>(this.#client, 'room.participants', input);
  }

  #listen(): void {
    const on: Subscribe = (t, listener) => void this.#unsubscribe.push(onPush(this.#client, t, listener));
    const inRoom = () => this.view.phase === 'in';
    this.#local.listen(on);
    this.#unsubscribe.push(this.#remote.listen(on));
    on<{ peer: PeerInfo }>('media.peerJoined', ({ peer }) => this.#set('peers', peer.id, peer));
    on<{ peerId: string }>('media.peerLeft', ({ peerId }) => this.#set('peers', produce((peers) => delete peers[peerId])));
    on<{ peerId: string }>('media.activeSpeaker', ({ peerId }) => this.#set('activeSpeaker', peerId));
    on<{ routerRtpCapabilities: types.RtpCapabilities }>('media.reconnect', ({ routerRtpCapabilities }) => {
      // A media worker died: same socket (still joined), same place in the room; media starts over.
      if (inRoom()) void this.#restartMedia(routerRtpCapabilities).catch((e: Error) => this.#set('notice', `Your media could not restart: ${e.message}`));
    });
    on('media.replaced', () => {
      this.#dropMedia();
      this.#set({ phase: 'replaced', error: 'You joined this room from another tab or device.' });
    });
    on<RoomDelta & { t: string }>('room.delta', ({ t: _, ...delta }) => this.#state.delta(delta));
    on<{ entries: LobbyEntry[] }>('room.lobby', ({ entries }) => this.#set('lobbyEntries', reconcile(entries)));
    on('room.admitted', () => this.view.phase === 'lobby' && void this.join(this.#local.choice).catch(() => {}));
    on('room.denied', () => this.#set({ phase: 'denied', lobby: null }));
    on<{ role: RoomRole; by: string }>('room.role', ({ role, by }) => void this.#roleChanged(role, by));
    on<{ ban: boolean; by: string }>('room.removed', ({ ban, by }) => {
      this.#dropMedia();
      this.#set({ phase: 'removed', error: `${by} removed you from this room${ban ? ' and you cannot come back' : ''}.` });
    });
    on<{ by: string }>('room.ended', ({ by }) => {
      this.#dropMedia();
      this.#set({ phase: 'ended', error: `${by} ended this session for everyone.` });
    });
    this.#unsubscribe.push(this.#client.onStatus((status) => {
      if (status === 'reconnecting' && inRoom()) this.#set('reconnecting', true);
      if (status === 'open' && this.view.reconnecting) void this.#rejoin();
    }));
  }

  /** Back on a new socket (or told to reconnect media): join again and keep or rebuild media. */
  async #rejoin(): Promise<void> {
    try {
      const reply = await call<JoinReply>(this.#client, 'media.join', { token: this.#token }).catch(async (error: { code?: string }) => {
        if (error.code !== 'unauthorized') throw error;
        this.#token = await this.#refreshToken();
        return call<JoinReply>(this.#client, 'media.join', { token: this.#token });
      });
      if (reply.lobby) return void this.#set({ phase: 'lobby', lobby: reply.lobby, reconnecting: false });
      await this.#enter(reply);
    } catch (error) {
      this.#set({ reconnecting: false, phase: 'failed', error: (error as Error).message });
    }
  }

  async #roleChanged(role: RoomRole, by: string): Promise<void> {
    const was = this.view.role;
    this.#set('role', role);
    if (role === 'attendee') {
      this.#local.leaveStage();
      this.#set('notice', `${by} moved you back to the audience.`);
    } else if (was === 'attendee') {
      this.#set('notice', `${by} brought you on stage. Your camera and microphone are starting.`);
      await this.#local.goOnStage().catch((e: Error) => this.#set('notice', e.message));
    } else if (role === 'host') {
      this.#set('notice', `${by} made you a host.`);
      // Hosts see the lobby, which is pushed to hosts only.
      this.#state.resync();
    }
  }
}
