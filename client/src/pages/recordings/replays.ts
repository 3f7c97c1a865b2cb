/**
 * The ready recordings of an event that the viewer may watch, by session: what the agenda and
 * My tickets link to ("Watch the replay"). The server decides who may watch (the recording's
 * access setting); a failed look-up shows no links rather than an error on someone else's page.
 */
import { type Accessor, createResource } from 'solid-js';
import { type Recording, recordingsApi } from './api.ts';

export function replayHref(eventId: string, recordingId: string): string {
  return `/events/${eventId}/recordings?${new URLSearchParams({ play: recordingId })}`;
}

/** Ready recordings by session id (the newest first when a session was recorded twice). */
export function createReplays(eventId: Accessor<string | undefined>): Accessor<Map<string, Recording[]>> {
  const [list] = createResource(eventId, (id) =>
    recordingsApi.list(id).then(
      ({ recordings }) => recordings.filter((r) => r.state === 'ready'),
      () => [] as Recording[],
    ));
  return () => {
    const bySession = new Map<string, Recording[]>();
    for (const r of (list.state === 'ready' ? list() : undefined) ?? []) bySession.set(r.sessionId, [...(bySession.get(r.sessionId) ?? []), r]);
    return bySession;
  };
}
