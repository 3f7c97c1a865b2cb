/**
 * Where the room turned someone away (full, or failing to join): if the session is being
 * streamed live, offer the live stream instead.
 */
import { createResource, Show } from 'solid-js';
import { streamingApi } from './api.ts';

export function LiveFallback(props: { sessionId: string }) {
  const [status] = createResource(() => props.sessionId, (id) => streamingApi.status(id).catch(() => null));
  return (
    <Show when={status()?.live}>
      <p class="notice" data-testid="live-fallback">
        The session is streamed live. <a class="button button--primary" href={`/watch/${props.sessionId}`}>Watch the live stream instead</a>
      </p>
    </Show>
  );
}
