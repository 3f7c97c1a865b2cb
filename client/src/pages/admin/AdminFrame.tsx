import { A } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ShieldIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { useSession } from '../account/session.tsx';
import './admin.css';

/** The admin pages' header and tabs; only admins see what is inside. */
export function AdminFrame(props: { title: string; lead: string; children: JSX.Element }) {
  const session = useSession();
  const isAdmin = () => session.user.state === 'ready' && session.user()?.role === 'admin';
  return (
    <>
      <PageHeader title={props.title} lead={props.lead} />
      <Show when={session.user.state === 'ready'}>
        <Show when={isAdmin()} fallback={
          <EmptyState icon={<ShieldIcon size={28} />} title="Admins only">
            <p>
              This part of Plenary is for the people who run the server. <A href="/log-in?next=/admin">Log in</A> with an admin account.
            </p>
          </EmptyState>
        }>
          <nav class="admin-tabs" aria-label="Admin">
            <A href="/admin" end class="admin-tabs__link" activeClass="admin-tabs__link--active">People</A>
            <A href="/admin/audit" class="admin-tabs__link" activeClass="admin-tabs__link--active">Audit log</A>
            <A href="/admin/outbox" class="admin-tabs__link" activeClass="admin-tabs__link--active">Outbox</A>
            <A href="/admin/events" class="admin-tabs__link" activeClass="admin-tabs__link--active">Events</A>
            <A href="/admin/jobs" class="admin-tabs__link" activeClass="admin-tabs__link--active">Jobs</A>
            <A href="/admin/revenue" class="admin-tabs__link" activeClass="admin-tabs__link--active">Revenue</A>
            <A href="/admin/ratings" class="admin-tabs__link" activeClass="admin-tabs__link--active">Ratings</A>
          </nav>
          {props.children}
        </Show>
      </Show>
    </>
  );
}
