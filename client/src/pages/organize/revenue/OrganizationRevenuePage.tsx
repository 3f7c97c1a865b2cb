/** An organization's revenue across its events, for its owners and admins. */
import { A, useParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { PageHeader } from '../../../ui/PageHeader.tsx';
import { reportSearch, revenueApi } from './api.ts';
import { createReportQuery, ReportSection } from './RevenueReportView.tsx';

export function OrganizationRevenuePage() {
  const params = useParams<{ id: string }>();
  const { query, setQuery } = createReportQuery();
  const [data] = createResource(() => ({ id: params.id, q: query() }), ({ id, q }) => revenueApi.organizationReport(id, q));
  return (
    <section class="revenue-page">
      <PageHeader title="Organization revenue" lead="Every event's sales, refunds, fees and commission, together." actions={<A class="button" href="/organize">Back to organizing</A>} />
      <ReportSection
        title="Report"
        idPrefix="org-report"
        report={data()?.report}
        error={data.error}
        query={query()}
        onQuery={setQuery}
        csvHref={`/api/organizations/${params.id}/revenue?${reportSearch(query(), 'csv')}`}
      >
        <Show when={(data()?.events.length ?? 0) > 0}>
          <h3 class="revenue-subtitle">Per event</h3>
          <ul class="revenue-links">
            <For each={data()?.events}>{(e) => <li><A href={`/organize/events/${e.id}/revenue`}>{e.title}</A></li>}</For>
          </ul>
        </Show>
      </ReportSection>
    </section>
  );
}
