/**
 * The room page's mediasoup-client device and its two transports (send and receive) over the
 * shared realtime socket, and what the media modules share (room-media.ts builds it):
 * local-media.ts publishes on the send transport, remote-media.ts consumes on the receive one.
 */
import { Device, type types } from 'mediasoup-client';
import type { SetStoreFunction } from 'solid-js/store';
import type { RealtimeClient } from '../../api/realtime.ts';
import type { RoomView } from './room-view.ts';
import { call, type TransportInfo } from './signaling.ts';

/** What RoomMedia hands its media modules: the socket, the page's store and the join clock. */
export type MediaContext = {
  client: RealtimeClient;
  view: RoomView;
  set: SetStoreFunction<RoomView>;
  /** Notes when a join step ended (RoomMedia.timings); the first time a join reaches it counts. */
  mark: (step: string) => void;
};

/** Subscribes to a push for as long as the room page lives (until RoomMedia.close). */
export type Subscribe = <T>(t: string, listener: (push: T) => void) => void;

/** What a person's media looks like before anything is published. */
export const localOff = (): RoomView['local'] => ({ microphone: false, camera: false, screen: false, score: 10 });

export class MediaTransports {
  readonly #ctx: MediaContext;
  // Loaded with the router's capabilities of the current join; replaced when media starts over.
  #device: Device | undefined;
  // A device loaded while the person picks devices, for the first join (see RoomMedia.join).
  #early: Promise<Device | undefined> | undefined;
  #send: types.Transport | undefined;
  #recv: types.Transport | undefined;
  // The TURN/STUN servers of the last join reply, for transports made after it.
  #iceServers: RTCIceServer[] = [];

  constructor(ctx: MediaContext, routerRtpCapabilities?: types.RtpCapabilities | null) {
    this.#ctx = ctx;
    if (routerRtpCapabilities) {
      const device = new Device();
      this.#early = device.load({ routerRtpCapabilities }).then(() => device, () => undefined);
    }
  }

  get device(): Device | undefined {
    return this.#device;
  }
  get send(): types.Transport | undefined {
    return this.#send;
  }
  get recv(): types.Transport | undefined {
    return this.#recv;
  }

  set iceServers(servers: RTCIceServer[]) {
    this.#iceServers = servers;
  }

  /** The device readied before the first join, while there is no device yet (undefined when none could load). */
  async readied(): Promise<Device | undefined> {
    return this.#device ? undefined : await this.#early;
  }

  /** Takes the readied device: the join reply's transports were made for its capabilities. */
  adopt(device: Device): void {
    this.#device = device;
    this.#early = undefined;
  }

  /** A new device for the router's capabilities (a join without a readied device, or media starting over). */
  async load(routerRtpCapabilities: types.RtpCapabilities): Promise<Device> {
    const device = (this.#device = new Device());
    await device.load({ routerRtpCapabilities });
    return device;
  }

  /** Asks the server for a transport and keeps it. */
  async create(direction: 'send' | 'recv'): Promise<types.Transport> {
    const info = await call<TransportInfo>(this.#ctx.client, 'media.transport.create', { direction });
    return this.make(direction, info);
  }

  /** Keeps the mediasoup-client side of a transport the server made (with the join, or on request). */
  make(direction: 'send' | 'recv', info: TransportInfo): types.Transport {
    const { client, mark } = this.#ctx;
    const options = { id: info.transportId, iceParameters: info.iceParameters, iceCandidates: info.iceCandidates, dtlsParameters: info.dtlsParameters, iceServers: this.#iceServers };
    const transport = direction === 'send' ? this.#device!.createSendTransport(options) : this.#device!.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      call(client, 'media.transport.connect', { transportId: transport.id, dtlsParameters }).then(() => {
        mark(`${direction}Connect`);
        done();
      }, fail);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      call<{ producerId: string }>(client, 'media.produce', { transportId: transport.id, kind, rtpParameters, source: appData.source })
        .then((r) => done({ id: r.producerId }), fail);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected') mark(`${direction}Connected`);
      // A link that failed (network change) gets new ICE credentials rather than a new transport.
      if (state === 'failed') {
        void call<{ iceParameters: types.IceParameters }>(client, 'media.transport.restartIce', { transportId: transport.id })
          .then(({ iceParameters }) => transport.restartIce({ iceParameters }))
          .catch(() => {});
      }
    });
    if (direction === 'send') this.#send = transport;
    else this.#recv = transport;
    return transport;
  }

  /** Closes the send transport alone (back in the audience: the server closed its side already). */
  closeSend(): void {
    this.#send?.close();
    this.#send = undefined;
  }

  /** Closes both transports (and so every producer and consumer on them); the device stays. */
  close(): void {
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
  }
}
