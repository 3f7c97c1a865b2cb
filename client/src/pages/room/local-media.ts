/**
 * What the person publishes in the room: microphone, camera (in three simulcast layers) and
 * screen producers on the send transport, turned on and off from the toolbar, and the host
 * actions that act on them (mute, stop a screen share). Its part of the page's store is
 * `view.local`.
 */
import type { types } from 'mediasoup-client';
import type { LocalChoice } from './room-view.ts';
import { call, type MediaSource } from './signaling.ts';
import { localOff, type MediaContext, type MediaTransports, type Subscribe } from './media-transports.ts';

/** The camera's simulcast layers: a quarter and half size for small tiles, full size for the speaker. */
const LAYERS = [{ scaleResolutionDownBy: 4, maxBitrate: 150_000 }, { scaleResolutionDownBy: 2, maxBitrate: 500_000 }, { maxBitrate: 1_200_000 }];

export class LocalMedia {
  readonly #ctx: MediaContext;
  readonly #transports: MediaTransports;
  // Our producers by source: at most one each.
  readonly #producers = new Map<MediaSource, types.Producer>();
  // What the person chose to publish; the device check's stream is used once, then dropped.
  #choice: LocalChoice = { microphone: true, camera: true };

  constructor(ctx: MediaContext, transports: MediaTransports) {
    this.#ctx = ctx;
    this.#transports = transports;
  }

  get choice(): LocalChoice {
    return this.#choice;
  }

  /** Takes what the person picked before joining, for publishing once in the room. */
  choose(choice: LocalChoice): void {
    this.#choice = choice;
  }

  /** The track of a local producer, for the self view. */
  track(source: MediaSource): MediaStreamTrack | undefined {
    return this.#producers.get(source)?.track ?? undefined;
  }

  /** Publishes the chosen microphone and camera (making the send transport when there is none). */
  async start(): Promise<void> {
    if (!this.#transports.send) await this.#transports.create('send');
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
      this.#ctx.set('notice', 'Your browser did not give Plenary the camera or microphone. Allow them, then turn them on below.');
      return;
    }
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (audio) await this.#produce('microphone', audio);
    if (video) await this.#produce('camera', video);
  }

  /** Brought on stage: microphone and camera both start, whatever was chosen before. */
  goOnStage(): Promise<void> {
    this.#choice = { ...this.#choice, microphone: true, camera: true };
    return this.start();
  }

  /** Moved back to the audience: the server closed our send transport and producers already. */
  leaveStage(): void {
    for (const producer of this.#producers.values()) producer.track?.stop();
    this.#producers.clear();
    this.#transports.closeSend();
    this.#ctx.set('local', localOff());
  }

  async #produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const send = this.#transports.send;
    if (!send) return;
    const producer = await send.produce({
      track,
      ...(source === 'camera' ? { encodings: LAYERS } : {}),
      ...(source === 'screen' ? { encodings: [{ maxBitrate: 2_500_000 }] } : {}),
      appData: { source },
    });
    this.#producers.set(source, producer);
    producer.on('trackended', () => void this.#stop(source));
    // The server may start it paused (a host muted this source and has not allowed it back).
    this.#ctx.set('local', source === 'screen-audio' ? 'screen' : source, !producer.paused);
  }

  /** Turns the microphone or camera on or off (pausing, so others see it muted rather than gone). */
  async toggle(source: 'microphone' | 'camera'): Promise<void> {
    const { client, view, set } = this.#ctx;
    const producer = this.#producers.get(source);
    if (!producer) {
      if (view.role === 'attendee' || !this.#transports.send) return;
      this.#choice = { ...this.#choice, [source]: true };
      try {
        const stream = await navigator.mediaDevices.getUserMedia(source === 'microphone' ? { audio: true } : { video: { width: { ideal: 960 }, height: { ideal: 540 } } });
        await this.#produce(source, stream.getTracks()[0]);
      } catch (error) {
        set('notice', `Could not turn on your ${source}: ${(error as Error).message}`);
      }
      return;
    }
    if (producer.paused) {
      try {
        await call(client, 'media.producer.resume', { producerId: producer.id });
        producer.resume();
        set('local', source, true);
      } catch (error) {
        set('notice', (error as Error).message);
      }
    } else {
      producer.pause();
      set('local', source, false);
      await call(client, 'media.producer.pause', { producerId: producer.id }).catch(() => {});
    }
  }

  async toggleScreen(): Promise<void> {
    if (this.#producers.has('screen')) return this.#stop('screen');
    if (!this.#transports.send) return;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      await this.#produce('screen', stream.getVideoTracks()[0]);
    } catch (error) {
      this.#ctx.set('notice', `Screen sharing did not start: ${(error as Error).message}`);
    }
  }

  async #stop(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    producer.track?.stop();
    this.#ctx.set('local', source === 'screen-audio' ? 'screen' : source, false);
    await call(this.#ctx.client, 'media.producer.close', { producerId: producer.id }).catch(() => {});
  }

  /** Closes every producer and stops its track (RoomMedia resets `view.local` with the rest). */
  drop(): void {
    for (const producer of this.#producers.values()) {
      producer.close();
      producer.track?.stop();
    }
    this.#producers.clear();
  }

  /** The pushes about our own media: its score, and hosts muting it or stopping a screen share. */
  listen(on: Subscribe): void {
    const { set } = this.#ctx;
    on<{ score: { score: number }[] }>('media.producerScore', ({ score }) => score.length && set('local', 'score', Math.min(...score.map((s) => s.score))));
    on<{ source: 'microphone' | 'camera'; allowUnmute: boolean; by: string }>('room.muted', ({ source, allowUnmute, by }) => {
      this.#producers.get(source)?.pause();
      set('local', source, false);
      set('notice', `${by} muted your ${source}.${allowUnmute ? '' : ' You can turn it back on when a host allows it.'}`);
    });
    on<{ source: string; by: string }>('room.unmuteAllowed', ({ source, by }) => set('notice', `${by} allowed you to turn your ${source} back on.`));
    on<{ by: string }>('room.screenStopped', ({ by }) => {
      const producer = this.#producers.get('screen');
      producer?.track?.stop();
      this.#producers.delete('screen');
      set('local', 'screen', false);
      set('notice', `${by} stopped your screen share.`);
    });
  }
}
