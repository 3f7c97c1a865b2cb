import { A, Navigate, useSearchParams } from '@solidjs/router';
import { createResource, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { useSession } from '../account/session.tsx';
import { organizeApi, ROLE_LABELS } from './api.ts';

/** The page an event-team invitation links to: accepts it for the logged-in account. */
export function AcceptInvitePage() {
  const session = useSession();
  const [search] = useSearchParams();
  const token = () => (typeof search.token === 'string' ? search.token : '');
  const [accepted] = createResource(() => (session.user() && token() ? token() : null), (t) => organizeApi.acceptInvite(t));
  const here = () => `/organize/invites/accept?token=${encodeURIComponent(token())}`;
  return (
    <>
      <PageHeader title="Team invitation" />
      <Show when={session.user.state === 'ready'}>
        <Show when={session.user()} fallback={<Navigate href={`/log-in?next=${encodeURIComponent(here())}`} />}>
          <Show when={accepted()} fallback={
            <Show when={accepted.error} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Accepting…</p>}>
              <p class="notice notice--error" role="alert">{(accepted.error as Error).message}</p>
            </Show>
          }>
            {(a) => (
              <p role="status">
                You joined <strong>{a().event.title}</strong> as {ROLE_LABELS[a().role].toLowerCase()}. <A href={`/organize/events/${a().event.id}`}>Open the event</A>
              </p>
            )}
          </Show>
        </Show>
      </Show>
    </>
  );
}
