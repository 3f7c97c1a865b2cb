import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { organizeApi, type OrganizationSettings, uploadImage } from './api.ts';
import { TextAreaField } from './controls.tsx';
import './organize.css';

/** An organization's settings: name, contact, default currency, receipt details, logo, payouts; the commission for admins. */
export function OrganizationSettingsPage() {
  const params = useParams<{ id: string }>();
  const [org, { refetch }] = createResource(() => params.id, (id) => organizeApi.organization(id).then((r) => r.organization));
  return (
    <Show when={org()} fallback={<Show when={org.error} fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Loading…</p>}>
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
