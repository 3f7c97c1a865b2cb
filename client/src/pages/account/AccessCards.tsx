/** The account page's smaller cards: linked log-ins, personal API tokens, notification choices. */
import { createResource, createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { type Account, accountApi } from './api.ts';
import { createFormState, FormMessages, SubmitButton } from './form.tsx';

const SCOPES = [
  { id: 'profile:read', label: 'Read my profile' },
  { id: 'profile:write', label: 'Change my profile' },
  { id: 'events:read', label: 'Read events and organizations' },
  { id: 'events:write', label: 'Manage events and organizations' },
];

export function LinkedLoginsCard() {
  const [linked, { refetch }] = createResource(async () => (await accountApi.linkedLogins()).accounts);
  const [providers] = createResource(async () => (await accountApi.providers()).providers);
  const form = createFormState<never>();
  const unlinked = () => (providers() ?? []).filter((p) => !(linked() ?? []).some((l) => l.provider === p.id));
  return (
    <Show when={(providers() ?? []).length > 0 || (linked() ?? []).length > 0}>
      <section class="card" aria-labelledby="linked-heading">
        <h2 id="linked-heading" class="card__title">Linked log-ins</h2>
        <FormMessages alert={form.alert()} />
        <ul class="session-list">
          <For each={linked()}>
            {(login) => (
              <li class="session-list__item">
                <div>
                  <strong>{(providers() ?? []).find((p) => p.id === login.provider)?.name ?? login.provider}</strong>
                  <p class="session-list__meta">{login.email ?? ''}</p>
                </div>
                <button type="button" class="button" onClick={() => void form.run(async () => { await accountApi.unlink(login.provider); void refetch(); })}>
                  Unlink
                </button>
              </li>
            )}
          </For>
        </ul>
        <For each={unlinked()}>
          {(provider) => <a class="button" href={`${provider.startUrl}?returnTo=/account`}>Link {provider.name}</a>}
        </For>
      </section>
    </Show>
  );
}

export function ApiTokensCard() {
  const [tokens, { refetch }] = createResource(async () => (await accountApi.apiTokens()).tokens);
  const [name, setName] = createSignal('');
  const [scopes, setScopes] = createSignal<string[]>(['profile:read']);
  const [created, setCreated] = createSignal<string | null>(null);
  const form = createFormState<'name' | 'scopes'>();
  const toggle = (scope: string, on: boolean) => setScopes(on ? [...scopes(), scope] : scopes().filter((s) => s !== scope));
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const token = await accountApi.createApiToken(name().trim(), scopes());
      setCreated(token.token);
      setName('');
      void refetch();
    }, ['name', 'scopes']);
  };
  return (
    <section class="card" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading" class="card__title">API tokens</h2>
      <p class="form-note">For scripts and integrations: send one as <code>Authorization: Bearer …</code>.</p>
      <Show when={created()}>
        <div class="notice" role="status">
          <p>Copy this token now; it is not shown again.</p>
          <code class="token-value">{created()}</code>
        </div>
      </Show>
      <FormMessages alert={form.alert()} />
      <ul class="session-list">
        <For each={tokens()}>
          {(token) => (
            <li class="session-list__item">
              <div>
                <strong>{token.name}</strong>
                <p class="session-list__meta">{token.scopes.join(', ')} · {token.lastUsedAt ? `used ${new Date(token.lastUsedAt).toLocaleString()}` : 'never used'}</p>
              </div>
              <button type="button" class="button" aria-label={`Revoke ${token.name}`}
                onClick={() => void form.run(async () => { await accountApi.revokeApiToken(token.id); void refetch(); })}>
                Revoke
              </button>
            </li>
          )}
        </For>
      </ul>
      <form class="form" novalidate onSubmit={submit}>
        <TextField id="token-name" label="Token name" placeholder="Attendance export" value={name()} onValue={setName} error={form.errors().name} />
        <fieldset class="scope-list">
          <legend class="field__label">It may</legend>
          <For each={SCOPES}>
            {(scope) => (
              <label class="scope-list__item">
                <input type="checkbox" checked={scopes().includes(scope.id)} onChange={(e) => toggle(scope.id, e.currentTarget.checked)} />
                {scope.label}
              </label>
            )}
          </For>
          <Show when={form.errors().scopes}><p class="field__error">{form.errors().scopes}</p></Show>
        </fieldset>
        <SubmitButton busy={form.busy()} busyLabel="Creating…" block={false}>Create token</SubmitButton>
      </form>
    </section>
  );
}

const KINDS = [
  { id: 'event_reminder', label: 'Event reminders' },
  { id: 'event_update', label: 'Changes to events I attend' },
  { id: 'ticket', label: 'Tickets and orders' },
  { id: 'chat_mention', label: 'Mentions in chat' },
  { id: 'qa_answer', label: 'Answers to my questions' },
  { id: 'announcement', label: 'Announcements from organizers' },
] as const;
const CHANNELS = [
  { id: 'email', label: 'E-mail' },
  { id: 'in_app', label: 'In the app' },
] as const;

/** Which notifications arrive, by kind and by channel (on unless turned off). */
export function NotificationsCard(props: { prefs: Record<string, { email?: boolean; in_app?: boolean }>; saved: (user: Account) => void }) {
  const form = createFormState<never>();
  const enabled = (kind: string, channel: 'email' | 'in_app') => props.prefs[kind]?.[channel] !== false;
  const toggle = (kind: string, channel: 'email' | 'in_app', on: boolean) =>
    void form.run(async () => {
      const { user } = await accountApi.updateProfile({ notificationPrefs: { [kind]: { ...props.prefs[kind], [channel]: on } } });
      props.saved(user);
    });
  return (
    <section class="card" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading" class="card__title">Notifications</h2>
      <FormMessages alert={form.alert()} />
      <table class="prefs-table">
        <thead>
          <tr>
            <th scope="col"><span class="visually-hidden">Kind</span></th>
            <For each={CHANNELS}>{(channel) => <th scope="col">{channel.label}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={KINDS}>
            {(kind) => (
              <tr>
                <th scope="row">{kind.label}</th>
                <For each={CHANNELS}>
                  {(channel) => (
                    <td>
                      <input type="checkbox" aria-label={`${kind.label} by ${channel.label.toLowerCase()}`} checked={enabled(kind.id, channel.id)}
                        onChange={(e) => toggle(kind.id, channel.id, e.currentTarget.checked)} />
                    </td>
                  )}
                </For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}
