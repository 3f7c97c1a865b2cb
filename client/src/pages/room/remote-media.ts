/**
 * What the person receives in the room: consumers of everyone else's producers on the
 * receive transport, made in batches (media.consumeMany, then one media.consumers.resume),
 * paused while off screen or in a hidden tab, and asked for the simulcast layer that fits
 * the tile. Its part of the page's store is `view.tracks`; the tracks themselves (which must
 * not be proxied) stay here.
 */
import type { types } from 'mediasoup-client';
import { produce } from 'solid-js/store';
import { call, type ConsumeResult, type ProducerInfo } from './signaling.ts';
import { consumerStats, type TrackStats } from './track-stats.ts';
import type { MediaContext, MediaTransports, Subscribe } from './media-transports.ts';

export class RemoteMedia {
  readonly #ctx: MediaContext;
  readonly #transports: MediaTransports;
  // Our consumers by id.
  readonly #consumers = new Map<string, types.Consumer>();
  // Set while joining: producers announced meanwhile wait in #announced.
  #entering = false;
  readonly #announced = new Set<string>();
  // The spatial layer last asked for, per simulcast consumer, so that a resize asks only on a change.
  readonly #layers = new Map<string, number>();

  constructor(ctx: MediaContext, transports: MediaTransports) {
    this.#ctx = ctx;
    this.#transports = transports;
  }

  /** The track of a consumer, for <video>/<audio> elements. */
  track(consumerId: string): MediaStreamTrack | undefined {
    return this.#consumers.get(consumerId)?.track ?? undefined;
  }

  /** Per remote track: frames decoded and bytes received so far. */
  stats(): Promise<TrackStats[]> {
    return consumerStats([...this.#consumers.values()], this.#ctx.view.tracks);
  }

  /** From now until doneEntering(), producers announced wait for catchUp() instead of being consumed at once. */
  startEntering(): void {
    this.#entering = true;
  }

  doneEntering(): void {
    this.#entering = false;
  }

  /**
   * Brings consumption in line with a join: drops consumers of producers that closed while we
   * were away, takes the consumers the join made (`made`, with a readied device), and consumes
   * the rest of `producers` and whatever was announced meanwhile.
   */
  async catchUp(producers: ProducerInfo[], made?: ConsumeResult[]): Promise<void> {
    // Producers that closed while we were away took their consumers with them.
    const live = new Set(producers.map((p) => p.id));
    for (const consumer of [...this.#consumers.values()]) if (!live.has(consumer.producerId)) this.#remove(consumer.id);
    const have = new Set([...this.#consumers.values()].map((c) => c.producerId));
    if (made) {
      await this.#receive(made);
      for (const c of made) have.add(c.producerId);
    }
    for (const p of producers) this.#announced.add(p.id);
    await this.#consumeAnnounced(have);
  }

  /** Consumes what was announced while entering (media starting over: nothing else is left to consume). */
  consumeAnnounced(): Promise<void> {
    return this.#consumeAnnounced(new Set());
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

  /** Consumes producers in two messages however many there are (consumeMany, then consumers.resume). */
  async #consume(producerIds: string[]): Promise<void> {
    if (producerIds.length === 0 || !this.#transports.recv) return;
    const { consumers } = await call<{ consumers: ConsumeResult[] }>(this.#ctx.client, 'media.consumeMany', { producerIds });
    this.#ctx.mark('consumeMany');
    await this.#receive(consumers);
  }

  /** Sets up the consumers the server made (in one negotiation: mediasoup-client batches them), then resumes them. */
  async #receive(consumers: ConsumeResult[]): Promise<void> {
    const { client, set, mark } = this.#ctx;
    const recv = this.#transports.recv;
    if (!recv) return;
    const made = await Promise.all(consumers.map(async (info) => {
      if (!('consumerId' in info)) {
        console.warn('room: could not consume', info);
        return [];
      }
      const consumer = await recv.consume({ id: info.consumerId, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters });
      this.#consumers.set(consumer.id, consumer);
      set('tracks', consumer.id, {
        consumerId: consumer.id, producerId: info.producerId, peerId: info.peerId, source: info.source, kind: info.kind,
        producerPaused: info.producerPaused, paused: false, score: 10, simulcast: info.type === 'simulcast' || info.type === 'svc',
        preferredLayer: null, layer: null,
      });
      return [consumer.id];
    })).then((ids) => ids.flat());
    mark('consumersReady');
    if (made.length > 0) await call(client, 'media.consumers.resume', { consumerIds: made });
    mark('resumed');
  }

  /** Pauses a video consumer nobody can see, resumes one that came into view, and picks its layer by size. */
  async setVisibility(consumerId: string, visible: boolean, width: number): Promise<void> {
    const track = this.#ctx.view.tracks[consumerId];
    if (!track || track.kind !== 'video') return;
    const shown = visible && document.visibilityState === 'visible';
    if (shown === !track.paused) {
      if (shown && track.simulcast) await this.#layer(consumerId, width);
      return;
    }
    this.#ctx.set('tracks', consumerId, 'paused', !shown);
    await call(this.#ctx.client, shown ? 'media.consumer.resume' : 'media.consumer.pause', { consumerId }).catch(() => {});
    if (shown && track.simulcast) await this.#layer(consumerId, width);
  }

  async #layer(consumerId: string, width: number): Promise<void> {
    const spatialLayer = width < 360 ? 0 : width < 720 ? 1 : 2;
    if (this.#layers.get(consumerId) === spatialLayer) return;
    this.#layers.set(consumerId, spatialLayer);
    if (this.#ctx.view.tracks[consumerId]) this.#ctx.set('tracks', consumerId, 'preferredLayer', spatialLayer);
    await call(this.#ctx.client, 'media.consumer.setPreferredLayers', { consumerId, spatialLayer }).catch(() => {});
  }

  #remove(consumerId: string): void {
    this.#consumers.get(consumerId)?.close();
    this.#consumers.delete(consumerId);
    this.#ctx.set('tracks', produce((tracks) => delete tracks[consumerId]));
  }

  /**
   * Forgets every consumer: closing the receive transport closes them (RoomMedia does, and
   * resets `view.tracks` with the rest). Producers announced and not consumed yet stay queued.
   */
  drop(): void {
    this.#consumers.clear();
    this.#layers.clear();
  }

  /**
   * The pushes about what we receive: new and closed producers, and our consumers' state.
   * Returns what removes its page listener (a hidden tab pauses every video).
   */
  listen(on: Subscribe): () => void {
    const { view, set } = this.#ctx;
    on<{ producer: ProducerInfo }>('media.newProducer', ({ producer }) => {
      // One announced while the receive side is still being set up is consumed right after.
      if (view.phase !== 'in' || !this.#transports.recv || this.#entering) this.#announced.add(producer.id);
      else void this.#consume([producer.id]).catch((e: Error) => console.warn('room: consume failed', e));
    });
    on<{ producerId: string }>('media.producerClosed', ({ producerId }) => this.#announced.delete(producerId));
    on<{ consumerId: string }>('media.consumerClosed', ({ consumerId }) => this.#remove(consumerId));
    on<{ consumerId: string }>('media.consumerPaused', ({ consumerId }) => view.tracks[consumerId] && set('tracks', consumerId, 'producerPaused', true));
    on<{ consumerId: string }>('media.consumerResumed', ({ consumerId }) => view.tracks[consumerId] && set('tracks', consumerId, 'producerPaused', false));
    on<{ consumerId: string; score: { score: number; producerScore: number } }>('media.consumerScore', ({ consumerId, score }) => {
      if (view.tracks[consumerId]) set('tracks', consumerId, 'score', Math.min(score.score, score.producerScore));
    });
    on<{ consumerId: string; spatialLayer: number | null }>('media.consumerLayers', ({ consumerId, spatialLayer }) => {
      if (view.tracks[consumerId]) set('tracks', consumerId, 'layer', spatialLayer);
    });
    const onVisibility = () => {
      for (const track of Object.values(view.tracks)) if (track.kind === 'video' && document.visibilityState === 'hidden') void this.setVisibility(track.consumerId, false, 0);
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }
}
