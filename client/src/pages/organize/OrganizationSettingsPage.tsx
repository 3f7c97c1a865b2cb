import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { type Invitation, ORGANIZATION_ROLE_LABELS, organizeApi, type OrganizationMember, type OrganizationRole, type OrganizationSettings, uploadImage } from './api.ts';
import { SelectField, TextAreaField } from './controls.tsx';
import { InvitationList } from './InvitationList.tsx';
import './organize.css';

/** An organization's settings: name, contact, default currency, receipt details, logo, payouts, members and invitations; the commission for admins. */
export function OrganizationSettingsPage() {
  const params = useParams<{ id: string }>();
  const [loaded, { refetch }] = createResource(() => params.id, (id) => organizeApi.organization(id));
  const org = () => loaded()?.organization;
  return (
    <Show when={org()} fallback={<Show when={loaded.error} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
      <PageHeader title="Organization not found" lead="It does not exist, or you are not a member." />
    </Show>}>
      {(o) => (
        <>
          <PageHeader title={o().name} lead="Organization settings" actions={
            <A class="button" href={`/organize/organizations/${o().id}/revenue`}>Revenue</A>
          } />
          <div class="organize-grid">
            <SettingsCard org={o()} saved={() => void refetch()} />
            <LogoCard org={o()} saved={() => void refetch()} />
            <MembersCard org={o()} members={loaded()?.members ?? []} invitations={loaded()?.invitations ?? []} changed={() => void refetch()} />
            <PayoutCard org={o()} />
            <CommissionCard org={o()} saved={() => void refetch()} />
          </div>
        </>
      )}
    </Show>
  );
}

function SettingsCard(props: { org: OrganizationSettings; saved: () => void }) {
  const [values, setValues] = createSignal({
    name: props.org.name, contactEmail: props.org.contactEmail ?? '', defaultCurrency: props.org.defaultCurrency.toUpperCase(),
    legalAddress: props.org.legalAddress, vatId: props.org.vatId,
  });
  type Field = keyof ReturnType<typeof values>;
  const set = (field: Field) => (value: string) => setValues({ ...values(), [field]: value });
  const form = createFormState<Field>();
  const canEdit = () => props.org.role === 'owner' || props.org.role === 'admin';
  return (
    <section class="card organize-grid__wide" aria-labelledby="org-settings">
      <h2 id="org-settings" class="card__title">Details</h2>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <form class="form" novalidate onSubmit={(e) => {
        e.preventDefault();
        const v = values();
        void form.run(async () => {
          await organizeApi.updateOrganization(props.org.id, { ...v, contactEmail: v.contactEmail.trim() || null });
          form.setNotice('Saved.');
          props.saved();
        }, ['name', 'contactEmail', 'defaultCurrency', 'legalAddress', 'vatId']);
      }}>
        <fieldset class="organize-fieldset" disabled={!canEdit()}>
          <legend class="visually-hidden">Organization details</legend>
          <TextField id="org-name" label="Name" value={values().name} onValue={set('name')} error={form.errors().name} />
          <div class="form__row">
            <TextField id="org-contact" label="Contact e-mail" type="email" value={values().contactEmail} onValue={set('contactEmail')} error={form.errors().contactEmail} />
            <TextField id="org-currency" label="Default currency" hint="For new events, e.g. EUR" maxlength={3} value={values().defaultCurrency} onValue={set('defaultCurrency')} error={form.errors().defaultCurrency} />
          </div>
          <TextAreaField id="org-address" label="Legal address" hint="Printed on receipts" rows={3} value={values().legalAddress} onValue={set('legalAddress')} error={form.errors().legalAddress} />
          <TextField id="org-vat" label="VAT id" value={values().vatId} onValue={set('vatId')} error={form.errors().vatId} />
          <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Save</SubmitButton>
        </fieldset>
      </form>
    </section>
  );
}

function LogoCard(props: { org: OrganizationSettings; saved: () => void }) {
  const form = createFormState<never>();
  return (
    <section class="card" aria-labelledby="org-logo">
      <h2 id="org-logo" class="card__title">Logo</h2>
      <FormMessages alert={form.alert()} />
      <Show when={props.org.logoUrl}><img class="organize-logo" src={props.org.logoUrl!} alt={`${props.org.name} logo`} /></Show>
      <div class="organize-actions">
        <label class="button">
          Choose a logo
          <input class="visually-hidden" type="file" accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void form.run(async () => { await uploadImage(`/organizations/${props.org.id}/logo`, file); props.saved(); });
          }} />
        </label>
        <Show when={props.org.logoUrl}>
          <button type="button" class="button" onClick={() => void form.run(async () => { await organizeApi.removeLogo(props.org.id); props.saved(); })}>Remove</button>
        </Show>
      </div>
    </section>
  );
}

function PayoutCard(props: { org: OrganizationSettings }) {
  const form = createFormState<never>();
  const [search] = useSearchParams();
  const [payout, setPayout] = createSignal(props.org.payout);
  if (search.payout === 'done' && props.org.payout.connected) void organizeApi.refreshPayout(props.org.id).then((r) => setPayout(r.payout)).catch(() => undefined);
  return (
    <section class="card" aria-labelledby="org-payout">
      <h2 id="org-payout" class="card__title">Payouts</h2>
      <FormMessages alert={form.alert()} />
      <p role="status">
        {payout().ready ? 'Connected: paid tickets are paid out to your account.' : payout().connected ? 'Connected, but the provider still needs details from you.' : 'Not connected: only free tickets can be sold.'}
      </p>
      <Show when={!payout().ready}>
        <button type="button" class="button button--primary" onClick={() => void form.run(async () => {
          window.location.assign((await organizeApi.payoutOnboarding(props.org.id)).url);
        })}>{payout().connected ? 'Finish payout setup' : 'Connect a payout account'}</button>
      </Show>
    </section>
  );
}

function CommissionCard(props: { org: OrganizationSettings; saved: () => void }) {
  const session = useSession();
  const [rate, setRate] = createSignal(props.org.commissionBp === null ? '' : (props.org.commissionBp / 100).toString());
  const form = createFormState<'commissionBp'>();
  return (
    <Show when={session.user()?.role === 'admin'} fallback={
      <section class="card" aria-labelledby="org-commission"><h2 id="org-commission" class="card__title">Platform commission</h2>
        <p>{props.org.commissionBp === null ? 'The platform default applies.' : `${props.org.commissionBp / 100} % of each paid order.`}</p></section>
    }>
      <section class="card" aria-labelledby="org-commission">
        <h2 id="org-commission" class="card__title">Platform commission</h2>
        <FormMessages alert={form.alert()} notice={form.notice()} />
        <form class="form" novalidate onSubmit={(e) => {
          e.preventDefault();
          void form.run(async () => {
            await organizeApi.setCommission(props.org.id, rate().trim() === '' ? null : Math.round(Number(rate()) * 100));
            form.setNotice('Saved.');
            props.saved();
          }, ['commissionBp']);
        }}>
          <TextField id="org-commission-rate" label="Override (%)" hint="Admins only. Empty: the platform default" type="number" min="0" step="0.01"
            value={rate()} onValue={setRate} error={form.errors().commissionBp} />
          <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Save commission</SubmitButton>
        </form>
      </section>
    </Show>
  );
}

const ORG_ROLES = Object.entries(ORGANIZATION_ROLE_LABELS) as [OrganizationRole, string][];

/**
 * Members by name (only people who accepted an invitation), pending invitations by address,
 * and the invitation form. Owners and admins manage; only owners make owners.
 */
function MembersCard(props: { org: OrganizationSettings; members: OrganizationMember[]; invitations: Invitation[]; changed: () => void }) {
  const session = useSession();
  const form = createFormState<'email' | 'role'>();
  const [email, setEmail] = createSignal('');
  const [role, setRole] = createSignal<OrganizationRole>('member');
  const canManage = () => props.org.role === 'owner' || props.org.role === 'admin' || session.user()?.role === 'admin';
  const roles = () => (props.org.role === 'owner' || session.user()?.role === 'admin' ? ORG_ROLES : ORG_ROLES.filter(([r]) => r !== 'owner'));
  const act = (action: () => Promise<unknown>, notice: string) => void form.run(async () => { await action(); form.setNotice(notice); props.changed(); });
  return (
    <section class="card organize-grid__wide" aria-labelledby="org-members">
      <h2 id="org-members" class="card__title">Members</h2>
      <p class="form-note">Admins manage events and members; members see the organization. People join by accepting an invitation sent to their e-mail address.</p>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <ul class="organize-list" aria-label="Members">
        <For each={props.members}>{(m) => (
          <li class="organize-list__item" aria-label={m.displayName}>
            <div class="organize-invitation__who">
              <strong>{m.displayName}</strong>
              <div class="organize-list__meta organize-invitation__email">{m.email}</div>
            </div>
            <div class="organize-actions">
              <Show when={canManage()} fallback={<span class="badge">{ORGANIZATION_ROLE_LABELS[m.role]}</span>}>
                <label class="visually-hidden" for={`org-role-${m.userId}`}>Role of {m.displayName}</label>
                <select id={`org-role-${m.userId}`} class="field__input organize-select" value={m.role}
                  onChange={(e) => act(() => organizeApi.setMemberRole(props.org.id, m.userId, e.currentTarget.value as OrganizationRole), 'Role changed.')}>
                  <For each={ORG_ROLES}>{([value, label]) => <option value={value} selected={value === m.role}>{label}</option>}</For>
                </select>
              </Show>
              <Show when={canManage() || m.userId === session.user()?.id}>
                <button type="button" class="button" onClick={() => act(() => organizeApi.removeOrganizationMember(props.org.id, m.userId), m.userId === session.user()?.id ? 'You left the organization.' : 'Removed from the organization.')}>
                  {m.userId === session.user()?.id ? 'Leave' : 'Remove'}
                </button>
              </Show>
            </div>
          </li>
        )}</For>
      </ul>
      <InvitationList invitations={props.invitations} canManage={canManage()}
        roleLabel={(r) => ORGANIZATION_ROLE_LABELS[r as OrganizationRole] ?? ''}
        resend={(i) => act(() => organizeApi.resendInvitation(i.id), `Invitation sent again to ${i.email}; the earlier link no longer works.`)}
        revoke={(i) => act(() => organizeApi.revokeInvitation(i.id), `Invitation to ${i.email} withdrawn.`)} />
      <Show when={canManage()}>
        <h3 class="organize-subtitle">Invite someone</h3>
        <form class="form" novalidate aria-label="Invite a member" onSubmit={(e) => {
          e.preventDefault();
          const to = email().trim();
          void form.run(async () => {
            await organizeApi.inviteMember(props.org.id, to, role());
            form.setNotice(`Invitation sent to ${to}. They appear as a member once they accept it from the e-mail.`);
            setEmail('');
            props.changed();
          }, ['email', 'role']);
        }}>
          <div class="form__row">
            <TextField id="org-invite-email" label="E-mail" type="email" value={email()} onValue={setEmail} error={form.errors().email} />
            <SelectField id="org-invite-role" label="Role" value={role()} options={roles()} onValue={setRole} error={form.errors().role} />
          </div>
          <SubmitButton busy={form.busy()} busyLabel="Sending…" block={false}>Send invitation</SubmitButton>
        </form>
      </Show>
    </section>
  );
}
