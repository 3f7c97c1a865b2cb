/**
 * The media side of the room page: mediasoup-client's device and transports over the shared
 * realtime socket, local microphone, camera and screen producers, and the remote consumers
 * (batched with media.consumeMany). It keeps what the page shows in a Solid store; tracks
 * (which must not be proxied) live beside it in a map. It survives a dropped socket: the
 * resumed join keeps media that is still flowing and starts over when the server says its
 * media was lost (`restarted`), or when a media worker restarted under it.
 */
import { Device, type types } from 'mediasoup-client';
import { createStore, produce, reconcile } from 'solid-js/store';
import type { RealtimeClient } from '../../api/realtime.ts';
import type { LocalChoice, RoomView } from './room-view.ts';
import {
  call, type ConsumeResult, type JoinReply, type LobbyEntry, type MediaSource, onPush, type ParticipantPage, type PeerInfo, type ProducerInfo,
  type RoomDelta, type RoomRole, type TransportInfo,
} from './signaling.ts';
import { RoomStateSync } from './room-state.ts';
import { consumerStats, type TrackStats } from './track-stats.ts';

export type { LocalChoice, RemoteTrack, RoomView } from './room-view.ts';

const LAYERS = [{ scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { scaleResolutionDownBy: 2, maxBitrate: 500_000 }, { maxBitrate: 1_200_000 }];

export class RoomMedia {
  readonly view: RoomView;
  readonly #set: ReturnType<typeof createStore<RoomView>>[1];
  readonly #client: RealtimeClient;
  // The room's flags, stage and audience count, kept up to date from pushes.
  readonly #state: RoomStateSync;
  #token: string;
  readonly #refreshToken: () => Promise<string>;
  #device: Device | undefined;
  #send: types.Transport | undefined;
  #recv: types.Transport | undefined;
  #iceServers: RTCIceServer[] = [];
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  #choice: LocalChoice = { microphone: true, camera: true };
  // Set while joining: producers announced meanwhile wait in #announced.
  #entering = false;
  readonly #announced = new Set<string>();
  readonly #unsubscribe: (() => void)[] = [];
  /**
   * Where the time of the last join went, for the join-latency benchmark and support: each
   * step's end in milliseconds after the click (`joinAt`, a performance.now() time).
   */
  readonly timings: { joinAt: number; steps: Record<string, number> } = { joinAt: 0, steps: {} };
  #mark(step: string): void {
    this.timings.steps[step] ??= performance.now() - this.timings.joinAt;
  }

  // A device loaded while the person picks devices, for the first join (see join()).
  #early: Promise<Device | undefined> | undefined;

  constructor(client: RealtimeClient, token: string, refreshToken: () => Promise<string>, routerRtpCapabilities?: types.RtpCapabilities | null) {
    const [view, set] = createStore<RoomView>({
      phase: 'idle', error: '', lobby: null, peerId: '', role: 'attendee', peers: {}, tracks: {},
      local: { microphone: false, camera: false, screen: false, score: 10 }, activeSpeaker: null, state: null,
      lobbyEntries: [], reconnecting: false, notice: '',
    });
    this.view = view;
    this.#set = set;
    this.#client = client;
    this.#state = new RoomStateSync(view, set, client);
    this.#token = token;
    this.#refreshToken = refreshToken;
    this.#listen();
    if (routerRtpCapabilities) {
      const device = new Device();
      this.#early = device.load({ routerRtpCapabilities }).then(() => device, () => undefined);
    }
  }

  /** The track of a consumer or of a local producer, for <video>/<audio> elements. */
  track(consumerId: string): MediaStreamTrack | undefined {
    return this.#consumers.get(consumerId)?.track ?? undefined;
  }
  localTrack(source: MediaSource): MediaStreamTrack | undefined {
    return this.#producers.get(source)?.track ?? undefined;
  }

  async join(choice: LocalChoice): Promise<void> {
    this.#choice = choice;
    this.timings.joinAt = performance.now();
    this.timings.steps = {};
    this.#set({ phase: 'joining', error: '' });
    // With a device readied beforehand, the join itself makes the transports and consumes the
    // room's producers: one round trip instead of four (capabilities, two transports, consume).
    const device = this.#device ? undefined : await this.#early;
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

  async #enter(reply: Exclude<JoinReply, { lobby: object }>, early?: Device): Promise<void> {
    const fresh = !reply.resumed || reply.restarted || !this.#device;
    this.#mark('joinReply');
    this.#entering = true;
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
    this.#iceServers = reply.iceServers;
    // The join made our transports (and consumers) only when it could use the early device.
    const given = early && reply.transports?.recv ? reply.transports : undefined;
    if (fresh) {
      this.#dropMedia();
      if (given) {
        this.#device = early;
        this.#early = undefined;
      } else {
        this.#device = new Device();
        await this.#device.load({ routerRtpCapabilities: reply.routerRtpCapabilities });
        this.#mark('deviceLoaded');
      }
    }
    if (!given) await call(this.#client, 'media.capabilities', { rtpCapabilities: this.#device!.rtpCapabilities });
    if (given?.send) this.#send = this.#makeTransport('send', given.send);
    if (given?.recv) this.#recv = this.#makeTransport('recv', given.recv);
    else if (fresh || !this.#recv) this.#recv = await this.#transport('recv');
    this.#mark('recvTransport');
    // Producers that closed while we were away took their consumers with them.
    const live = new Set(reply.producers.map((p) => p.id));
    for (const consumer of [...this.#consumers.values()]) if (!live.has(consumer.producerId)) this.#removeConsumer(consumer.id);
    const have = new Set([...this.#consumers.values()].map((c) => c.producerId));
    if (given && reply.consumers) {
      await this.#receive(reply.consumers);
      for (const c of reply.consumers) have.add(c.producerId);
    }
    for (const p of reply.producers) this.#announced.add(p.id);
    await this.#consumeAnnounced(have);
    this.#entering = false;
    if (reply.role !== 'attendee' && (fresh || !this.#send)) await this.#startPublishing();
    this.#mark('entered');
  }

  /** Consumes what was announced meanwhile (producers in `have` are consumed already), until nothing new comes. */
  async #consumeAnnounced(have: Set<string>): Promise<void> {
    while (this.#announced.size > 0) {
      const ids = [...this.#announced].filter((id) => !have.has(id));
      this.#announced.clear();
      await this.#consume(ids);
      for (const id of ids) have.add(id);
    }
  }

  /**
   * A media worker died under the room: our place (and socket) stays, our media does not.
   * Everyone's producers went with it, so there is nothing to consume until peers publish
   * again (announced as usual); we set up afresh and publish again ourselves.
   */
  async #restartMedia(routerRtpCapabilities: types.RtpCapabilities): Promise<void> {
    this.#entering = true;
    this.#dropMedia();
    try {
      this.#device = new Device();
      await this.#device.load({ routerRtpCapabilities });
      await call(this.#client, 'media.capabilities', { rtpCapabilities: this.#device.rtpCapabilities });
      this.#recv = await this.#transport('recv');
      await this.#consumeAnnounced(new Set());
    } finally {
      this.#entering = false;
    }
    if (this.view.role !== 'attendee') await this.#startPublishing();
  }

  async #transport(direction: 'send' | 'recv'): Promise<types.Transport> {
    return this.#makeTransport(direction, await call<TransportInfo>(this.#client, 'media.transport.create', { direction }));
  }

  /** The mediasoup-client side of a transport the server made. */
  #makeTransport(direction: 'send' | 'recv', info: TransportInfo): types.Transport {
    const options = { id: info.transportId, iceParameters: info.iceParameters, iceCandidates: info.iceCandidates, dtlsParameters: info.dtlsParameters, iceServers: this.#iceServers };
    const transport = direction === 'send' ? this.#device!.createSendTransport(options) : this.#device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      call(this.#client, 'media.transport.connect', { transportId: transport.id, dtlsParameters }).then(() => {
        this.#mark(`${direction}Connect`);
        done();
      }, fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      call<{ producerId: string }>(this.#client, 'media.produce', { transportId: transport.id, kind, rtpParameters, source: appData.source })
        .then((r) => done({ id: r.producerId }), fail);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected') this.#mark(`${direction}Connected`);
      // A link that failed (network change) gets new ICE credentials rather than a new transport.
      if (state === 'failed') {
        void call<{ iceParameters: types.IceParameters }>(this.#client, 'media.transport.restartIce', { transportId: transport.id })
          .then(({ iceParameters }) => transport.restartIce({ iceParameters }))
          .catch(() => {});
      }
    });
    return transport;
  }

  /** Consumes producers in two messages however many there are (consumeMany, then consumers.resume). */
  async #consume(producerIds: string[]): Promise<void> {
    if (producerIds.length === 0 || !this.#recv) return;
    const { consumers } = await call<{ consumers: ConsumeResult[] }>(this.#client, 'media.consumeMany', { producerIds });
    this.#mark('consumeMany');
    await this.#receive(consumers);
  }

  /** Sets up the consumers the server made (in one negotiation: mediasoup-client batches them), then resumes them. */
  async #receive(consumers: ConsumeResult[]): Promise<void> {
    const recv = this.#recv;
    if (!recv) return;
    const made = await Promise.all(consumers.map(async (info) => {
      if (!('consumerId' in info)) {
        console.warn('room: could not consume', info);
        return [];
      }
      const consumer = await recv.consume({ id: info.consumerId, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters });
      this.#consumers.set(consumer.id, consumer);
      this.#set('tracks', consumer.id, {
        consumerId: consumer.id, producerId: info.producerId, peerId: info.peerId, source: info.source, kind: info.kind,
        producerPaused: info.producerPaused, paused: false, score: 10, simulcast: info.type === 'simulcast' || info.type === 'svc',
        preferredLayer: null, layer: null,
      });
      return [consumer.id];
    })).then((ids) => ids.flat());
    this.#mark('consumersReady');
    if (made.length > 0) await call(this.#client, 'media.consumers.resume', { consumerIds: made });
    this.#mark('resumed');
  }

  async #startPublishing(): Promise<void> {
    this.#send ??= await this.#transport('send');
    const wanted = this.#choice;
    const constraints = {
      audio: wanted.microphone ? (wanted.microphoneId ? { deviceId: { exact: wanted.microphoneId } } : true) : false,
      video: wanted.camera ? { width: { ideal: 960 }, height: { ideal: 540 }, ...(wanted.cameraId ? { deviceId: { exact: wanted.cameraId } } : {}) } : false,
    };
    if (!constraints.audio && !constraints.video) return;
    // The device check's stream, started before the click, when it is still live.
    const preview = wanted.stream?.getTracks().some((t) => t.readyState === 'live') ? wanted.stream : undefined;
    this.#choice = { ...wanted, stream: undefined };
    let stream: MediaStream;
    try {
      stream = preview ?? (await navigator.mediaDevices.getUserMedia(constraints));
    } catch {
      this.#set('notice', 'Your browser did not give Plenary the camera or microphone. Allow them, then turn them on below.');
      return;
    }
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (audio) await this.#produce('microphone', audio);
    if (video) await this.#produce('camera', video);
  }

  async #produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (!this.#send) return;
    const producer = await this.#send.produce({
      track,
      ...(source === 'camera' ? { encodings: LAYERS } : {}),
      ...(source === 'screen' ? { encodings: [{ maxBitrate: 2_500_000 }] } : {}),
      appData: { source },
    });
    this.#producers.set(source, producer);
    producer.on('trackended', () => void this.#stopLocal(source));
    // The server may start it paused (a host muted this source and has not allowed it back).
    this.#set('local', source === 'screen-audio' ? 'screen' : source, !producer.paused);
  }

  /** Turns the microphone or camera on or off (pausing, so others see it muted rather than gone). */
  async toggle(source: 'microphone' | 'camera'): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) {
      if (this.view.role === 'attendee' || !this.#send) return;
      this.#choice = { ...this.#choice, [source]: true };
      try {
        const stream = await navigator.mediaDevices.getUserMedia(source === 'microphone' ? { audio: true } : { video: { width: { ideal: 960 }, height: { ideal: 540 } } });
        await this.#produce(source, stream.getTracks()[0]);
      } catch (error) {
        this.#set('notice', `Could not turn on your ${source}: ${(error as Error).message}`);
      }
      return;
    }
    if (producer.paused) {
      try {
        await call(this.#client, 'media.producer.resume', { producerId: producer.id });
        producer.resume();
        this.#set('local', source, true);
      } catch (error) {
        this.#set('notice', (error as Error).message);
      }
    } else {
      producer.pause();
      this.#set('local', source, false);
      await call(this.#client, 'media.producer.pause', { producerId: producer.id }).catch(() => {});
    }
  }

  async toggleScreen(): Promise<void> {
    if (this.#producers.has('screen')) return this.#stopLocal('screen');
    if (!this.#send) return;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      await this.#produce('screen', stream.getVideoTracks()[0]);
    } catch (error) {
      this.#set('notice', `Screen sharing did not start: ${(error as Error).message}`);
    }
  }

  async #stopLocal(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    producer.track?.stop();
    this.#set('local', source === 'screen-audio' ? 'screen' : source, false);
    await call(this.#client, 'media.producer.close', { producerId: producer.id }).catch(() => {});
  }

  /** Pauses a video consumer nobody can see, resumes one that came into view, and picks its layer by size. */
  async setVisibility(consumerId: string, visible: boolean, width: number): Promise<void> {
    const track = this.view.tracks[consumerId];
    if (!track || track.kind !== 'video') return;
    const shown = visible && document.visibilityState === 'visible';
    if (shown === !track.paused) {
      if (shown && track.simulcast) await this.#layer(consumerId, width);
      return;
    }
    this.#set('tracks', consumerId, 'paused', !shown);
    await call(this.#client, shown ? 'media.consumer.resume' : 'media.consumer.pause', { consumerId }).catch(() => {});
    if (shown && track.simulcast) await this.#layer(consumerId, width);
  }

  #layers = new Map<string, number>();
  async #layer(consumerId: string, width: number): Promise<void> {
    const spatialLayer = width < 360 ? 0 : width < 720 ? 1 : 2;
    if (this.#layers.get(consumerId) === spatialLayer) return;
    this.#layers.set(consumerId, spatialLayer);
    if (this.view.tracks[consumerId]) this.#set('tracks', consumerId, 'preferredLayer', spatialLayer);
    await call(this.#client, 'media.consumer.setPreferredLayers', { consumerId, spatialLayer }).catch(() => {});
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
    return consumerStats([...this.#consumers.values()], this.view.tracks);
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

  #dropMedia(): void {
    for (const producer of this.#producers.values()) {
      producer.close();
      producer.track?.stop();
    }
    this.#producers.clear();
    this.#consumers.clear();
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
    this.#layers.clear();
    this.#set(produce((v) => {
      v.tracks = {};
      v.local = { microphone: false, camera: false, screen: false, score: 10 };
    }));
  }

  #removeConsumer(consumerId: string): void {
    this.#consumers.get(consumerId)?.close();
    this.#consumers.delete(consumerId);
    this.#set('tracks', produce((tracks) => delete tracks[consumerId]));
  }

  /** A page of everyone in the room whose name contains `query` (hosts only). */
  participants(input: { query?: string; cursor?: string; limit?: number }): Promise<ParticipantPage> {
    return call<ParticipantPage>(this.#client, 'room.participants', input);
  }

  #listen(): void {
    const on = <T>(t: string, listener: (push: T) => void) => this.#unsubscribe.push(onPush<T>(this.#client, t, listener));
    const inRoom = () => this.view.phase === 'in';
    on<{ peer: PeerInfo }>('media.peerJoined', ({ peer }) => this.#set('peers', peer.id, peer));
    on<{ peerId: string }>('media.peerLeft', ({ peerId }) => this.#set('peers', produce((peers) => delete peers[peerId])));
    on<{ producer: ProducerInfo }>('media.newProducer', ({ producer }) => {
      // One announced while the receive side is still being set up is consumed right after.
      if (!inRoom() || !this.#recv || this.#entering) this.#announced.add(producer.id);
      else void this.#consume([producer.id]).catch((e: Error) => console.warn('room: consume failed', e));
    });
    on<{ producerId: string }>('media.producerClosed', ({ producerId }) => this.#announced.delete(producerId));
    on<{ consumerId: string }>('media.consumerClosed', ({ consumerId }) => this.#removeConsumer(consumerId));
    on<{ consumerId: string }>('media.consumerPaused', ({ consumerId }) => this.view.tracks[consumerId] && this.#set('tracks', consumerId, 'producerPaused', true));
    on<{ consumerId: string }>('media.consumerResumed', ({ consumerId }) => this.view.tracks[consumerId] && this.#set('tracks', consumerId, 'producerPaused', false));
    on<{ consumerId: string; score: { score: number; producerScore: number } }>('media.consumerScore', ({ consumerId, score }) => {
      if (this.view.tracks[consumerId]) this.#set('tracks', consumerId, 'score', Math.min(score.score, score.producerScore));
    });
    on<{ consumerId: string; spatialLayer: number | null }>('media.consumerLayers', ({ consumerId, spatialLayer }) => {
      if (this.view.tracks[consumerId]) this.#set('tracks', consumerId, 'layer', spatialLayer);
    });
    on<{ score: { score: number }[] }>('media.producerScore', ({ score }) => score.length && this.#set('local', 'score', Math.min(...score.map((s) => s.score))));
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
    on('room.admitted', () => this.view.phase === 'lobby' && void this.join(this.#choice).catch(() => {}));
    on('room.denied', () => this.#set({ phase: 'denied', lobby: null }));
    on<{ role: RoomRole; by: string }>('room.role', ({ role, by }) => void this.#roleChanged(role, by));
    on<{ source: 'microphone' | 'camera'; allowUnmute: boolean; by: string }>('room.muted', ({ source, allowUnmute, by }) => {
      this.#producers.get(source)?.pause();
      this.#set('local', source, false);
      this.#set('notice', `${by} muted your ${source}.${allowUnmute ? '' : ' You can turn it back on when a host allows it.'}`);
    });
    on<{ source: string; by: string }>('room.unmuteAllowed', ({ source, by }) => this.#set('notice', `${by} allowed you to turn your ${source} back on.`));
    on<{ by: string }>('room.screenStopped', ({ by }) => {
      const producer = this.#producers.get('screen');
      producer?.track?.stop();
      this.#producers.delete('screen');
      this.#set('local', 'screen', false);
      this.#set('notice', `${by} stopped your screen share.`);
    });
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
    const onVisibility = () => {
      for (const track of Object.values(this.view.tracks)) if (track.kind === 'video' && document.visibilityState === 'hidden') void this.setVisibility(track.consumerId, false, 0);
    };
    document.addEventListener('visibilitychange', onVisibility);
    this.#unsubscribe.push(() => document.removeEventListener('visibilitychange', onVisibility));
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
      // The server closed our send transport and producers already.
      for (const producer of this.#producers.values()) producer.track?.stop();
      this.#producers.clear();
      this.#send?.close();
      this.#send = undefined;
      this.#set('local', { microphone: false, camera: false, screen: false, score: 10 });
      this.#set('notice', `${by} moved you back to the audience.`);
    } else if (was === 'attendee') {
      this.#set('notice', `${by} brought you on stage. Your camera and microphone are starting.`);
      this.#choice = { ...this.#choice, microphone: true, camera: true };
      await this.#startPublishing().catch((e: Error) => this.#set('notice', e.message));
    } else if (role === 'host') {
      this.#set('notice', `${by} made you a host.`);
      // Hosts see the lobby, which is pushed to hosts only.
      this.#state.resync();
    }
  }
}
