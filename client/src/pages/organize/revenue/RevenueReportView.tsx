/**
 * A revenue report as the event, organization and admin pages show it: the period controls,
 * totals per currency (each apart, with a note when there are several), the table per period
 * (a list of cards on phones) and the CSV download.
 */
import { createSignal, For, type JSX, Show } from 'solid-js';
import { type Grouping, money, type ReportQuery, type RevenueReport } from './api.ts';
import './revenue.css';

const COLUMNS = [
  ['gross', 'Gross'],
  ['refunds', 'Refunds'],
  ['disputes', 'Disputes'],
  ['fees', 'Fees'],
  ['commission', 'Commission'],
  ['net', 'Net'],
  ['payouts', 'Payouts'],
] as const;

/** The query the controls edit; pages create it and refetch when it changes. */
export function createReportQuery() {
  const [query, setQuery] = createSignal<ReportQuery>({ group: 'day' });
  return { query, setQuery };
}

export function ReportControls(props: { query: ReportQuery; onChange: (query: ReportQuery) => void; csvHref: string; idPrefix: string }) {
  const update = (patch: Partial<ReportQuery>) => props.onChange({ ...props.query, ...patch });
  return (
    <form class="revenue-controls" aria-label="Report period" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label class="field__label" for={`${props.idPrefix}-group`}>Group by</label>
        <select id={`${props.idPrefix}-group`} class="field__input" value={props.query.group} onChange={(e) => update({ group: e.currentTarget.value as Grouping })}>
          <option value="day">Day</option>
          <option value="week">Week</option>
          <option value="month">Month</option>
        </select>
      </div>
      <div class="field">
        <label class="field__label" for={`${props.idPrefix}-from`}>From</label>
        <input id={`${props.idPrefix}-from`} class="field__input" type="date" value={props.query.from ?? ''} onChange={(e) => update({ from: e.currentTarget.value || undefined })} />
      </div>
      <div class="field">
        <label class="field__label" for={`${props.idPrefix}-to`}>To</label>
        <input id={`${props.idPrefix}-to`} class="field__input" type="date" value={props.query.to ?? ''} onChange={(e) => update({ to: e.currentTarget.value || undefined })} />
      </div>
      <a class="button revenue-controls__csv" href={props.csvHref} download="">Download CSV</a>
    </form>
  );
}

export function ReportTotals(props: { report: RevenueReport }) {
  const several = () => props.report.totals.length > 1;
  return (
    <Show when={props.report.totals.length > 0} fallback={<p class="revenue-empty">No money has moved in this period yet.</p>}>
      <For each={props.report.totals}>
        {(t) => (
          <>
            <Show when={several()}>
              <h3 class="revenue-subtitle" data-totals-currency={t.currency}>In {t.currency.toUpperCase()}</h3>
            </Show>
            <dl class="revenue-totals" aria-label={`Totals in ${t.currency.toUpperCase()}`}>
              <For each={COLUMNS}>
                {([key, label]) => (
                  <div class="revenue-totals__item" classList={{ 'revenue-totals__item--net': key === 'net' }}>
                    <dt>{label}</dt>
                    <dd data-total={key}>{money(t[key], t.currency)}</dd>
                  </div>
                )}
              </For>
            </dl>
          </>
        )}
      </For>
      <p class="revenue-note" data-fees-note>Fees are the payment provider's: its processing fee on each payment, and its fee on each dispute less any it gave back.</p>
      <Show when={several()}>
        <p class="revenue-note" data-currencies-note>
          Each currency is counted on its own, never converted or added to another. The payment provider states its fees in the currency the payout account settles in, so where that is not the tickets' currency the fees (and the net they take) stand under it.
        </p>
      </Show>
    </Show>
  );
}

export function ReportTable(props: { report: RevenueReport; caption: string }) {
  return (
    <Show when={props.report.rows.length > 0}>
      <div class="revenue-table-wrap">
        <table class="revenue-table">
          <caption class="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{props.report.group === 'day' ? 'Day' : props.report.group === 'week' ? 'Week of' : 'Month'}</th>
              <For each={COLUMNS}>{([, label]) => <th scope="col" class="num">{label}</th>}</For>
            </tr>
          </thead>
          <tbody>
            <For each={props.report.rows}>
              {(row) => (
                <tr>
                  <th scope="row">{row.period} <span class="revenue-table__currency">{row.currency.toUpperCase()}</span></th>
                  <For each={COLUMNS}>{([key, label]) => <td class="num" data-label={label}>{money(row[key], row.currency)}</td>}</For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/** Controls, totals and table together, with a loading and an error state. */
export function ReportSection(props: {
  report: RevenueReport | undefined;
  error: unknown;
  query: ReportQuery;
  onQuery: (query: ReportQuery) => void;
  csvHref: string;
  idPrefix: string;
  title: string;
  children?: JSX.Element;
}) {
  return (
    <section class="card revenue-section" aria-labelledby={`${props.idPrefix}-title`}>
      <h2 id={`${props.idPrefix}-title`} class="card__title">{props.title}</h2>
      <ReportControls query={props.query} onChange={props.onQuery} csvHref={props.csvHref} idPrefix={props.idPrefix} />
      <Show when={props.error}>
        <div class="notice notice--error" role="alert"><p>{(props.error as Error).message}</p></div>
      </Show>
      <Show when={props.report} fallback={<Show when={!props.error}><p class="loading">Loading…</p></Show>}>
        {(report) => (
          <>
            <ReportTotals report={report()} />
            <ReportTable report={report()} caption={props.title} />
          </>
        )}
      </Show>
      {props.children}
    </section>
  );
}
