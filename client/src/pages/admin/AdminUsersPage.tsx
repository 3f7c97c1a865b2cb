import { createResource, createSignal, For, Show } from 'solid-js';
import type { Account } from '../account/api.ts';
import { createFormState, FormMessages } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { AdminFrame } from './AdminFrame.tsx';
import { adminApi } from './api.ts';

/** People on this server: search, roles, bans and forced password resets. */
export function AdminUsersPage() {
  const [query, setQuery] = createSignal('');
  const [search, setSearch] = createSignal('');
  const [result, { refetch }] = createResource(search, (q) => adminApi.users(q));
  return (
    <AdminFrame title="Admin" lead="People on this server, their roles and bans.">
      <form class="admin-search" role="search" onSubmit={(event) => { event.preventDefault(); setSearch(query().trim()); }}>
        <label class="visually-hidden" for="user-search">Search people</label>
        <input id="user-search" class="field__input" type="search" placeholder="Name or e-mail" value={query()}
          onInput={(event) => setQuery(event.currentTarget.value)} />
        <button type="submit" class="button">Search</button>
      </form>
      <p class="admin-count" role="status">{result() ? `${result()!.total} ${result()!.total === 1 ? 'person' : 'people'}` : ''}</p>
      <ul class="admin-list">
        <For each={result()?.users}>{(user) => <UserRow user={user} changed={() => void refetch()} />}</For>
      </ul>
    </AdminFrame>
  );
}

function UserRow(props: { user: Account; changed: () => void }) {
  const session = useSession();
  const form = createFormState<'reason'>();
  const [banning, setBanning] = createSignal(false);
  const [reason, setReason] = createSignal('');
  const self = () => session.user()?.id === props.user.id;
  const act = (action: () => Promise<unknown>, notice: string) =>
    void form.run(async () => {
      await action();
      form.setNotice(notice);
      props.changed();
    }, ['reason']);
  return (
    <li class="admin-list__item" aria-label={props.user.email}>
      <div class="admin-list__who">
        <strong>{props.user.displayName}</strong> <span class="admin-list__email">{props.user.email}</span>
        <div class="admin-list__badges">
          <Show when={props.user.role === 'admin'}><span class="badge">Admin</span></Show>
          <Show when={!props.user.emailVerified}><span class="badge">Unconfirmed</span></Show>
          <Show when={props.user.banned}><span class="badge badge--danger">Banned: {props.user.banned!.reason}</span></Show>
        </div>
      </div>
      <div class="admin-list__actions">
        <Show when={!self()}>
          <button type="button" class="button" onClick={() => act(() => adminApi.setRole(props.user.id, props.user.role === 'admin' ? 'user' : 'admin'), 'Role changed.')}>
            {props.user.role === 'admin' ? 'Remove admin' : 'Make admin'}
          </button>
          <Show when={props.user.banned} fallback={<button type="button" class="button" onClick={() => setBanning(!banning())}>Ban…</button>}>
            <button type="button" class="button" onClick={() => act(() => adminApi.unban(props.user.id), 'Unbanned.')}>Unban</button>
          </Show>
          <button type="button" class="button" onClick={() => act(() => adminApi.forceReset(props.user.id), 'Reset link sent; their sessions ended.')}>
            Force password reset
          </button>
        </Show>
      </div>
      <Show when={banning()}>
        <form class="admin-ban" onSubmit={(event) => {
          event.preventDefault();
          act(async () => { await adminApi.ban(props.user.id, reason()); setBanning(false); }, 'Banned; every session and connection ended.');
        }}>
          <label class="field__label" for={`ban-${props.user.id}`}>Reason (shown to them)</label>
          <input id={`ban-${props.user.id}`} class="field__input" value={reason()} onInput={(e) => setReason(e.currentTarget.value)} maxlength={500} />
          <button type="submit" class="button button--primary">Ban {props.user.displayName}</button>
        </form>
      </Show>
      <FormMessages alert={form.errors().reason ?? form.alert()} notice={form.notice()} />
    </li>
  );
}
