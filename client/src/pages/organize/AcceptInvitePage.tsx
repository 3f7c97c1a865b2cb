import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, Match, Show, Switch } from 'solid-js';
import { createFormState, FormMessages } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { type InvitationPreview, organizeApi } from './api.ts';
import '../account/account.css';
import './organize.css';

/** What accepting gives, in a sentence. */
function offer(i: InvitationPreview): string {
  const who = i.inviterName ?? 'An organizer';
  if (i.kind === 'speaker') return `${who} invited you to link your account to the speaker “${i.target.speakerName}” of ${i.target.name}, so you can speak in its live sessions.`;
  if (i.kind === 'organization') return `${who} invited you to join the organization ${i.target.name} as ${i.roleLabel}.`;
  return `${who} invited you to help run ${i.target.name} as ${i.roleLabel}.`;
}

const STATE_MESSAGES: Record<Exclude<InvitationPreview['status'], 'pending'>, string> = {
  accepted: 'This invitation was already accepted. Each link works once; if you need access again, ask the organizer for a new invitation.',
  revoked: 'The organizer withdrew this invitation. Ask them to invite you again if you think this is a mistake.',
  expired: 'This invitation has expired. Ask the organizer to send it again; the new e-mail has a fresh link.',
};

/**
 * Where an invitation mail links (`/invitations/accept?token=…`): says what the invitation is
 * for, sends a signed-out visitor to log in or sign up with the invited address and back,
 * tells someone signed in with another address to switch, and accepts on request.
 */
export function AcceptInvitePage() {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const token = () => (typeof search.token === 'string' ? search.token : '');
  const [preview] = createResource(() => token() || null, async (t) => (await organizeApi.previewInvitation(t)).invitation);
  const [accepted, setAccepted] = createSignal<{ name: string; path: string; kind: InvitationPreview['kind'] } | null>(null);
  const form = createFormState<never>();
  const here = () => `/invitations/accept?token=${encodeURIComponent(token())}`;
  const withNext = (path: string, email: string) => `${path}?next=${encodeURIComponent(here())}&email=${encodeURIComponent(email)}`;
  const signedInAs = () => session.user()?.email ?? null;

  document.title = 'Invitation · Plenary';

  const accept = () => void form.run(async () => {
    const { accepted: a } = await organizeApi.acceptInvitation(token());
    setAccepted({ name: a.target.name, path: a.target.path, kind: a.kind });
  });

  return (
    <div class="auth-page">
      <section class="card auth-card invitation-card" aria-labelledby="invitation-heading" aria-live="polite">
        <Switch fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading the invitation…</p>}>
          <Match when={!token()}>
            <h1 id="invitation-heading" class="card__title">This link is incomplete</h1>
            <p>Open the whole link from the invitation e-mail; if it was split over two lines, copy both parts.</p>
          </Match>
          <Match when={preview.error}>
            <h1 id="invitation-heading" class="card__title">This invitation link did not work</h1>
            <p role="alert">{(preview.error as Error).message}</p>
          </Match>
          <Match when={accepted()}>{(a) => (
            <>
              <h1 id="invitation-heading" class="card__title">Invitation accepted</h1>
              <p role="status">
                {a().kind === 'speaker' ? `Your account is now linked to your speaker profile at ${a().name}.` : `You are now part of ${a().name}.`}
              </p>
              <A class="button button--primary button--block" href={a().path}>Open {a().name}</A>
            </>
          )}</Match>
          <Match when={preview()?.status !== 'pending' && preview()}>{(i) => (
            <>
              <h1 id="invitation-heading" class="card__title">This invitation can no longer be used</h1>
              <p role="alert">{STATE_MESSAGES[i().status as keyof typeof STATE_MESSAGES]}</p>
              <Show when={i().status === 'accepted' && signedInAs() === i().email}>
                <A class="button button--block" href={i().target.path}>Open {i().target.name}</A>
              </Show>
            </>
          )}</Match>
          <Match when={preview() && session.user.state === 'ready' && preview()}>{(i) => (
            <>
              <h1 id="invitation-heading" class="card__title">You are invited</h1>
              <p>{offer(i())}</p>
              <p class="organize-invitation__email">This invitation is for <strong>{i().email}</strong>. It works once, until {new Date(i().expiresAt).toLocaleDateString()}.</p>
              <FormMessages alert={form.alert()} />
              <Switch>
                <Match when={!session.user()}>
                  <p>Log in with that address to accept, or create an account with it first.</p>
                  <A class="button button--primary button--block" href={withNext('/log-in', i().email)}>Log in to accept</A>
                  <p class="auth-card__aside">No account yet? <A href={withNext('/sign-up', i().email)}>Create one with {i().email}</A></p>
                </Match>
                <Match when={signedInAs() !== i().email}>
                  <p role="alert">You are logged in as <strong>{signedInAs()}</strong>, but this invitation is for <strong>{i().email}</strong>. Log out and log in with that address to accept it.</p>
                  <button type="button" class="button button--primary button--block" onClick={() => void session.logOut().then(() => navigate(withNext('/log-in', i().email)))}>
                    Log out and switch account
                  </button>
                </Match>
                <Match when={true}>
                  <button type="button" class="button button--primary button--block" disabled={form.busy()} onClick={accept}>
                    {form.busy() ? 'Accepting…' : 'Accept invitation'}
                  </button>
                  <p class="auth-card__aside">Not for you? Ignore it: nothing changes unless you accept.</p>
                </Match>
              </Switch>
            </>
          )}</Match>
        </Switch>
      </section>
    </div>
  );
}
