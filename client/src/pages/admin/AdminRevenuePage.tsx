/** Platform revenue for admins: every organization's money, the commission default and overrides. */
import { createResource, createSignal, For, Show } from 'solid-js';
import { createFormState, FormMessages } from '../account/form.tsx';
import { money, percent, reportSearch, revenueApi, type OrganizationCommission } from '../organize/revenue/api.ts';
import { createReportQuery, ReportSection } from '../organize/revenue/RevenueReportView.tsx';
import { AdminFrame } from './AdminFrame.tsx';

/** "2.5" (percent, as people type it) → 250 basis points; null when it is not a rate. */
function parsePercent(text: string): number | null {
  const cleaned = text.trim().replace(',', '.').replace(/\s*%$/, '');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  const bp = Math.round(Number(cleaned) * 100);
  return bp <= 10_000 ? bp : null;
}

export function AdminRevenuePage() {
  const { query, setQuery } = createReportQuery();
  const [data, { refetch }] = createResource(query, (q) => revenueApi.adminReport(q));
  return (
    <AdminFrame title="Revenue" lead="Sales across the platform, the commission it keeps, and the rates.">
      <div class="revenue-page">
        <ReportSection title="Platform report" idPrefix="admin-report" report={data()?.report} error={data.error} query={query()} onQuery={setQuery} csvHref={`/api/admin/revenue?${reportSearch(query(), 'csv')}`}>
          <Show when={(data()?.byOrganization.length ?? 0) > 0}>
            <h3 class="revenue-subtitle">Per organization</h3>
            <div class="revenue-table-wrap">
              <table class="revenue-table">
                <caption class="visually-hidden">Revenue per organization</caption>
                <thead>
                  <tr><th scope="col">Organization</th><th scope="col" class="num">Gross</th><th scope="col" class="num">Refunds</th><th scope="col" class="num">Fees</th><th scope="col" class="num">Commission</th><th scope="col" class="num">Net</th></tr>
                </thead>
                <tbody>
                  <For each={data()?.byOrganization}>
                    {(row) => (
                      <tr>
                        <th scope="row">{row.name} <span class="revenue-table__currency">{row.currency.toUpperCase()}</span></th>
                        <td class="num" data-label="Gross">{money(row.gross, row.currency)}</td>
                        <td class="num" data-label="Refunds">{money(row.refunds, row.currency)}</td>
                        <td class="num" data-label="Fees">{money(row.fees, row.currency)}</td>
                        <td class="num" data-label="Commission">{money(row.commission, row.currency)}</td>
                        <td class="num" data-label="Net">{money(row.net, row.currency)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        </ReportSection>
        <Show when={data()}>{(d) => <CommissionSettings defaultBp={d().commission.defaultBp} organizations={d().commission.organizations} changed={() => void refetch()} />}</Show>
      </div>
    </AdminFrame>
  );
}

function CommissionSettings(props: { defaultBp: number; organizations: OrganizationCommission[]; changed: () => void }) {
  const form = createFormState<'defaultBp'>();
  const [rate, setRate] = createSignal(String(props.defaultBp / 100));
  const save = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const bp = parsePercent(rate());
      if (bp === null) return void form.setErrors({ defaultBp: 'Type a percentage from 0 to 100, such as 2.5' });
      await revenueApi.setDefaultCommission(bp);
      form.setNotice(`Default commission set to ${percent(bp)}.`);
      props.changed();
    }, ['defaultBp']);
  };
  return (
    <section class="card revenue-section" aria-labelledby="commission-title">
      <h2 id="commission-title" class="card__title">Commission</h2>
      <form class="commission-form" onSubmit={save}>
        <div class="field" classList={{ 'field--invalid': Boolean(form.errors().defaultBp) }}>
          <label class="field__label" for="commission-default">Platform default (%)</label>
          <input id="commission-default" class="field__input" inputmode="decimal" value={rate()} onInput={(e) => setRate(e.currentTarget.value)} aria-invalid={form.errors().defaultBp ? true : undefined} />
          <Show when={form.errors().defaultBp}><p class="field__error">{form.errors().defaultBp}</p></Show>
        </div>
        <button type="submit" class="button button--primary">Save default</button>
      </form>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <h3 class="revenue-subtitle">Per organization</h3>
      <p class="field__hint">Leave empty to use the platform default. New orders use the new rate; paid ones keep theirs.</p>
      <ul class="revenue-links">
        <For each={props.organizations}>{(org) => <OrganizationRate org={org} changed={props.changed} />}</For>
      </ul>
    </section>
  );
}

function OrganizationRate(props: { org: OrganizationCommission; changed: () => void }) {
  const form = createFormState<'commissionBp'>();
  const [rate, setRate] = createSignal(props.org.commission_bp === null ? '' : String(props.org.commission_bp / 100));
  const id = () => `commission-${props.org.id}`;
  const save = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const bp = rate().trim() === '' ? null : parsePercent(rate());
      if (bp === null && rate().trim() !== '') return void form.setErrors({ commissionBp: 'Type a percentage from 0 to 100, or leave empty' });
      await revenueApi.setOrganizationCommission(props.org.id, bp);
      form.setNotice(bp === null ? 'Uses the platform default.' : `Set to ${percent(bp)}.`);
      props.changed();
    }, ['commissionBp']);
  };
  return (
    <li>
      <form class="commission-form" onSubmit={save}>
        <div class="field" classList={{ 'field--invalid': Boolean(form.errors().commissionBp) }}>
          <label class="field__label" for={id()}>{props.org.name} (%)</label>
          <input id={id()} class="field__input" inputmode="decimal" value={rate()} placeholder="default" onInput={(e) => setRate(e.currentTarget.value)} />
          <Show when={form.errors().commissionBp}><p class="field__error">{form.errors().commissionBp}</p></Show>
        </div>
        <button type="submit" class="button" aria-label={`Save the commission of ${props.org.name}`}>Save</button>
      </form>
      <FormMessages alert={form.alert()} notice={form.notice()} />
    </li>
  );
}
