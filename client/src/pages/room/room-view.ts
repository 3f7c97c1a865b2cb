/**
 * What the room page shows, as the media side keeps it (room-media.ts, local-media.ts and
 * remote-media.ts): the phase of the visit, the people and remote tracks, the local media,
 * the room's state and the lobby.
 */
import type { LobbyEntry, MediaSource, PeerInfo, RoomRole, RoomState } from './signaling.ts';

export type RemoteTrack = {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  /** The sender paused it (muted). */
  producerPaused: boolean;
  /** We paused it (off screen, hidden tab). */
  paused: boolean;
  /** 0–10, the worse of the sender's and our link, as the SFU scores them. */
  score: number;
  simulcast: boolean;
  /** The simulcast layer we asked for (by the tile's size), and the one the SFU sends now. */
  preferredLayer: number | null;
  layer: number | null;
};

export type Phase = 'idle' | 'joining' | 'lobby' | 'in' | 'removed' | 'ended' | 'denied' | 'replaced' | 'failed';

export type RoomView = {
  phase: Phase;
  error: string;
  lobby: { id: string; reason: string; hosts: string[] } | null;
  peerId: string;
  role: RoomRole;
  peers: Record<string, PeerInfo>;
  tracks: Record<string, RemoteTrack>;
  local: { microphone: boolean; camera: boolean; screen: boolean; score: number };
  activeSpeaker: string | null;
  state: RoomState | null;
  lobbyEntries: LobbyEntry[];
  reconnecting: boolean;
  notice: string;
};

/**
 * What the person chose before joining; `stream` is the device check's own camera and
 * microphone, handed over so that publishing does not wait for getUserMedia again.
 */
export type LocalChoice = { microphoneId?: string; cameraId?: string; microphone: boolean; camera: boolean; stream?: MediaStream };
