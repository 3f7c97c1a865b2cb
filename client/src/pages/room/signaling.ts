/**
 * The room page's wire vocabulary: the join-token route, and typed helpers over the
 * shared realtime client for the `media.*` and `room.*` messages (sfu/signaling.ts,
 * sfu/room-messages.ts) and their pushes.
 */
import type { types } from 'mediasoup-client';
import type { RealtimeClient } from '../../api/realtime.ts';
import type { ParticipantView, RoomFlags } from '../../../../sfu/room-roster.ts';

export type RoomRole = 'host' | 'speaker' | 'attendee';
export type MediaSource = 'microphone' | 'camera' | 'screen' | 'screen-audio';

export type JoinTicket = {
  token: string;
  identity: string;
  role: RoomRole;
  session: { id: string; title: string; startsAt: string; endsAt: string; lobbyMode: string };
  event: { id: string; title: string; slug: string; timeZone: string };
  /** What the room's media server can do, so that the page readies its device before joining. */
  routerRtpCapabilities: types.RtpCapabilities | null;
};

/** Why the server refused a join token, with where to get a ticket when that is the reason. */
export class RoomRefusal extends Error {
  override readonly name = 'RoomRefusal';
  readonly code: string;
  readonly status: number;
  readonly ticketUrl: string | null;

  constructor(code: string, message: string, status: number, ticketUrl: string | null) {
    super(message);
    this.code = code;
    this.status = status;
    this.ticketUrl = ticketUrl;
  }
}

/** Asks the server for a join token for the session (the role comes with it). */
export async function fetchJoinTicket(sessionId: string): Promise<JoinTicket> {
  let response: Response;
  try {
    response = await fetch(`/api/rooms/${encodeURIComponent(sessionId)}/join-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: '{}',
    });
  } catch {
    throw new RoomRefusal('network_error', 'Could not reach the Plenary server. Check your connection and try again.', 0, null);
  }
  const body = (await response.json().catch(() => null)) as
    | (JoinTicket & { error?: undefined })
    | { error?: { code: string; message: string; ticketUrl?: string } }
    | null;
  if (response.ok && body && !body.error) return body as JoinTicket;
  const error = body?.error;
  throw new RoomRefusal(error?.code ?? 'bad_response', error?.message ?? `The server answered HTTP ${response.status}.`, response.status, error?.ticketUrl ?? null);
}

export type PeerInfo = { id: string; identity: string; name: string };
export type ProducerInfo = { id: string; peerId: string; kind: 'audio' | 'video'; source: MediaSource; paused: boolean };
export type TransportInfo = {
  transportId: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
};
export type ConsumerInfo = {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  type: string;
  rtpParameters: types.RtpParameters;
  producerPaused: boolean;
};
/** One item of a batched consume: a consumer, or why that producer could not be consumed. */
export type ConsumeResult = ConsumerInfo | { producerId: string; error: unknown };
export type JoinReply =
  | { lobby: { id: string; reason: 'not_open' | 'locked' | 'knock'; hosts: string[] } }
  | {
      lobby?: undefined;
      peerId: string;
      room: RoomSnapshot;
      resumed: boolean;
      restarted: boolean;
      role: RoomRole;
      routerRtpCapabilities: types.RtpCapabilities;
      iceServers: RTCIceServer[];
      peers: PeerInfo[];
      producers: ProducerInfo[];
      /** Made with the join when it asked for them (see RoomMedia.join). */
      transports?: { send?: TransportInfo; recv?: TransportInfo };
      consumers?: ConsumeResult[];
      own?: { transports: { transportId: string; direction: string }[]; producers: { producerId: string; source: string }[]; consumers: { consumerId: string; producerId: string }[] };
    };

/** A participant as others see it, and the room's flags: the server's own shapes (sfu/room-roster.ts). */
export type Participant = ParticipantView;
/**
 * The room as everyone sees it (sfu/room-roster.ts): its flags, the stage (hosts, speakers,
 * raised hands) and how many attendees are in the audience, at a version that `room.delta`
 * pushes move forward.
 */
export type RoomState = RoomFlags & { version: number; audience: number; stage: Participant[] };
/** What changed since version `from`: flags and count in full, stage people added, changed or gone. */
export type RoomDelta = Omit<RoomState, 'stage'> & { from: number; upsert: Participant[]; remove: string[] };
/** A page of `room.participants` (hosts only): everyone whose name matches, by name. */
export type ParticipantPage = { participants: Participant[]; next: string | null; total: number };
export type LobbyEntry = { id: string; name: string; role: RoomRole; reason: string; since: number };

/** The room's state with the lobby (for hosts), as `room.state` and the join reply carry it. */
export type RoomSnapshot = { state: RoomState; lobby: { entries: LobbyEntry[] } | null };

/** A request the realtime client's typed table does not list: media and room messages. */
export function call<T = unknown>(client: RealtimeClient, t: string, payload: Record<string, unknown> = {}): Promise<T> {
  return (client.request as unknown as (t: string, payload: Record<string, unknown>) => Promise<T>)(t, payload);
}

/** Subscribes to a push by name; returns the unsubscribe function. */
export function onPush<T = Record<string, unknown>>(client: RealtimeClient, t: string, listener: (push: T) => void): () => void {
  return (client.on as unknown as (t: string, listener: (push: T) => void) => () => void)(t, listener);
}
