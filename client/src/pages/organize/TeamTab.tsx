import { createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { organizeApi, ROLE_LABELS, type TeamRole } from './api.ts';
import { SelectField } from './controls.tsx';
import type { TabProps } from './EventEditorPage.tsx';
import { InvitationList } from './InvitationList.tsx';

const ROLES = Object.entries(ROLE_LABELS) as [TeamRole, string][];
const INVITABLE = ROLES.filter(([role]) => role !== 'owner');
const WHAT = 'Co-hosts edit and run the event; moderators run its rooms; check-in staff only scan tickets.';

/** The team: members with their roles, pending invitations (address only, until accepted), and an invitation form. */
export function TeamTab(props: TabProps) {
  const session = useSession();
  const form = createFormState<'email' | 'role'>();
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<TeamRole>('co_host');
  const id = () => props.detail.event.id;
  const act = (action: () => Promise<unknown>, notice: string) => void form.run(async () => { await action(); form.setNotice(notice); props.reload(); });
  return (
    <div class="organize-grid">
      <section class="card organize-grid__wide" aria-labelledby="team-heading">
        <h2 id="team-heading" class="card__title">Team</h2>
        <p class="form-note">{WHAT}</p>
        <FormMessages alert={form.alert()} notice={form.notice()} />
        <ul class="organize-list">
          <For each={props.detail.team}>{(m) => (
            <li class="organize-list__item" aria-label={m.displayName}>
              <div>
                <strong>{m.displayName}</strong>
                <div class="organize-list__meta">{m.email}</div>
              </div>
              <div class="organize-actions">
                <Show when={props.detail.permissions.manageTeam} fallback={<span class="badge">{ROLE_LABELS[m.role]}</span>}>
                  <label class="visually-hidden" for={`role-${m.userId}`}>Role of {m.displayName}</label>
                  <select id={`role-${m.userId}`} class="field__input organize-select" value={m.role}
                    onChange={(e) => act(() => organizeApi.setRole(id(), m.userId, e.currentTarget.value as TeamRole), 'Role changed.')}>
                    <For each={ROLES}>{([value, label]) => <option value={value} selected={value === m.role}>{label}</option>}</For>
                  </select>
                </Show>
                <Show when={props.detail.permissions.manageTeam || m.userId === session.user()?.id}>
                  <button type="button" class="button" onClick={() => act(() => organizeApi.removeMember(id(), m.userId), 'Removed from the team.')}>
                    {m.userId === session.user()?.id ? 'Leave' : 'Remove'}
                  </button>
                </Show>
              </div>
            </li>
          )}</For>
        </ul>
        <InvitationList invitations={props.detail.invites} canManage={props.detail.permissions.manageTeam}
          roleLabel={(r) => ROLE_LABELS[r as TeamRole] ?? ''}
          resend={(i) => act(() => organizeApi.resendInvitation(i.id), `Invitation sent again to ${i.email}; the earlier link no longer works.`)}
          revoke={(i) => act(() => organizeApi.revokeInvitation(i.id), `Invitation to ${i.email} withdrawn.`)} />
      </section>
      <Show when={props.detail.permissions.manageTeam}>
        <section class="card" aria-labelledby="invite-heading">
          <h2 id="invite-heading" class="card__title">Invite someone</h2>
          <form class="form" novalidate onSubmit={(e) => {
            e.preventDefault();
            void form.run(async () => {
              await organizeApi.invite(id(), email(), role());
              form.setNotice(`Invitation sent to ${email()}. They join the team once they accept it from the e-mail.`);
              setEmail('');
              props.reload();
            }, ['email', 'role']);
          }}>
            <TextField id="invite-email" label="E-mail" type="email" value={email()} onValue={setEmail} error={form.errors().email} />
            <SelectField id="invite-role" label="Role" value={role()} options={INVITABLE} onValue={setRole} error={form.errors().role} />
            <SubmitButton busy={form.busy()} busyLabel="Sending…" block={false}>Send invitation</SubmitButton>
          </form>
        </section>
      </Show>
    </div>
  );
}
