import { Navigate, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { ApiTokensCard, LinkedLoginsCard, NotificationsCard } from './AccessCards.tsx';
import { type Account, accountApi, uploadAvatar } from './api.ts';
import { createFormState, FormMessages, SubmitButton } from './form.tsx';
import { useSession } from './session.tsx';
import './account.css';

/** The signed-in person's own page: profile, picture, password, sessions. */
export function AccountPage() {
  const session = useSession();
  return (
    <Show when={session.user.state === 'ready'} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
      <Show when={session.user()} fallback={<Navigate href="/log-in?next=/account" />}>
        {(user) => (
          <>
            <PageHeader title="Your account" lead={user().email} actions={
              <button type="button" class="button" onClick={() => void session.logOut()}>Log out</button>
            } />
            <Show when={!user().emailVerified}>
              <UnverifiedNotice />
            </Show>
            <div class="account-grid">
              <ProfileCard user={user()} />
              <PictureCard user={user()} />
              <PasswordCard />
              <SessionsCard />
              <NotificationsCard prefs={user().notificationPrefs} saved={(account) => session.set(account)} />
              <LinkedLoginsCard />
              <ApiTokensCard />
            </div>
          </>
        )}
      </Show>
    </Show>
  );
}

function UnverifiedNotice() {
  const form = createFormState<never>();
  return (
    <div class="notice account-notice" role="status">
      <p>Your e-mail address is not confirmed yet.</p>
      <button type="button" class="button" onClick={() => void form.run(async () => {
        await accountApi.resendVerification();
        form.setNotice('A new link is on its way.');
      })}>Send the link again</button>
      <FormMessages alert={form.alert()} notice={form.notice()} />
    </div>
  );
}

function ProfileCard(props: { user: Account }) {
  const session = useSession();
  const [values, setValues] = createSignal({
    displayName: props.user.displayName,
    bio: props.user.bio,
    timeZone: props.user.timeZone ?? '',
    language: props.user.language ?? '',
    interests: props.user.interests.join(', '),
  });
  type Field = keyof ReturnType<typeof values>;
  const set = (field: Field) => (value: string) => setValues({ ...values(), [field]: value });
  const form = createFormState<Field>();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const v = values();
    void form.run(async () => {
      const { user } = await accountApi.updateProfile({
        displayName: v.displayName,
        bio: v.bio,
        timeZone: v.timeZone.trim() || null,
        language: v.language.trim() || null,
        interests: v.interests.split(',').map((t) => t.trim()).filter(Boolean),
      });
      session.set(user);
      form.setNotice('Saved.');
    }, ['displayName', 'bio', 'timeZone', 'language', 'interests']);
  };
  return (
    <section class="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading" class="card__title">Profile</h2>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <form class="form" novalidate onSubmit={submit}>
        <TextField id="profile-name" label="Name" value={values().displayName} onValue={set('displayName')} error={form.errors().displayName} />
        <TextField id="profile-bio" label="About you" value={values().bio} onValue={set('bio')} error={form.errors().bio} maxlength={2000} />
        <div class="form__row">
          <TextField id="profile-tz" label="Time zone" placeholder={Intl.DateTimeFormat().resolvedOptions().timeZone}
            value={values().timeZone} onValue={set('timeZone')} error={form.errors().timeZone} />
          <TextField id="profile-language" label="Language" placeholder="en" value={values().language} onValue={set('language')} error={form.errors().language} />
        </div>
        <TextField id="profile-interests" label="Interests" hint="Separated by commas, e.g. design, webrtc"
          value={values().interests} onValue={set('interests')} error={form.errors().interests} />
        <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Save profile</SubmitButton>
      </form>
    </section>
  );
}

function PictureCard(props: { user: Account }) {
  const session = useSession();
  const form = createFormState<never>();
  const upload = (file: File | undefined) => {
    if (!file) return;
    void form.run(async () => session.set((await uploadAvatar(file)).user));
  };
  return (
    <section class="card" aria-labelledby="picture-heading">
      <h2 id="picture-heading" class="card__title">Picture</h2>
      <FormMessages alert={form.alert()} />
      <div class="picture">
        <Show when={props.user.avatarUrl} fallback={<span class="avatar avatar--large" aria-hidden="true">{props.user.displayName.slice(0, 1).toUpperCase()}</span>}>
          <img class="avatar avatar--large" src={props.user.avatarUrl!} alt="Your picture" />
        </Show>
        <label class="button">
          Choose a picture
          <input class="visually-hidden" type="file" accept="image/png,image/jpeg,image/webp,image/gif"
            onChange={(event) => upload(event.currentTarget.files?.[0])} />
        </label>
      </div>
      <p class="form-note">PNG, JPEG, WebP or GIF, up to 5 MB. It is cropped to a square.</p>
    </section>
  );
}

function PasswordCard() {
  const [current, setCurrent] = createSignal('');
  const [next, setNext] = createSignal('');
  const form = createFormState<'currentPassword' | 'newPassword'>();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const { otherSessionsEnded } = await accountApi.changePassword(current(), next());
      setCurrent('');
      setNext('');
      form.setNotice(`Password changed${otherSessionsEnded ? `; ${otherSessionsEnded} other session${otherSessionsEnded > 1 ? 's' : ''} ended` : ''}.`);
    }, ['currentPassword', 'newPassword']);
  };
  return (
    <section class="card" aria-labelledby="password-heading">
      <h2 id="password-heading" class="card__title">Password</h2>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <form class="form" novalidate onSubmit={submit}>
        <TextField id="current-password" label="Current password" type="password" revealable autocomplete="current-password"
          value={current()} onValue={setCurrent} error={form.errors().currentPassword} />
        <TextField id="new-password" label="New password" type="password" revealable autocomplete="new-password"
          value={next()} onValue={setNext} error={form.errors().newPassword} />
        <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Change password</SubmitButton>
      </form>
    </section>
  );
}

function SessionsCard() {
  const session = useSession();
  const navigate = useNavigate();
  const [sessions, { refetch }] = createResource(async () => (await accountApi.sessions()).sessions);
  const form = createFormState<never>();
  const when = (iso: string) => new Date(iso).toLocaleString();
  return (
    <section class="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" class="card__title">Where you are logged in</h2>
      <FormMessages alert={form.alert()} />
      <ul class="session-list">
        <For each={sessions()}>
          {(item) => (
            <li class="session-list__item">
              <div>
                <strong>{item.device}</strong>
                <Show when={item.current}> <span class="badge">This device</span></Show>
                <p class="session-list__meta">Last active {when(item.lastSeenAt)} · {item.ip || 'unknown address'}</p>
              </div>
              <Show when={!item.current}>
                <button type="button" class="button" aria-label={`Log out ${item.device}`}
                  onClick={() => void form.run(async () => { await accountApi.revokeSession(item.id); void refetch(); })}>
                  Log out
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <button type="button" class="button" onClick={() => void form.run(async () => {
        await accountApi.logOutEverywhere();
        await session.logOut();
        navigate('/log-in', { replace: true });
      })}>Log out everywhere</button>
    </section>
  );
}
