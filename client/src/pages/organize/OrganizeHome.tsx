import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { StageIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { useSession } from '../account/session.tsx';
import { type EventSummary, organizeApi, ROLE_LABELS, STATUS_LABELS } from './api.ts';
import { SelectField } from './controls.tsx';
import { browserZone, formatInZone, zonedToUtc } from './time.ts';
import './organize.css';

/** The organizer's home: their organizations, the events they run, and forms to start both. */
export function OrganizeHome() {
  const session = useSession();
  const [orgs, { refetch: refetchOrgs }] = createResource(() => session.user() ?? null, () => organizeApi.organizations());
  const [events] = createResource(() => session.user() ?? null, () => organizeApi.events());
  const managed = () => (orgs()?.organizations ?? []).filter((o) => o.role === 'owner' || o.role === 'admin');
  return (
    <>
      <PageHeader title="Organize" lead="Events you run, alone or with your team." />
      <Show when={session.user.state === 'ready'}>
        <Show when={session.user()} fallback={
          <EmptyState icon={<StageIcon size={28} />} title="Log in to organize">
            <p><A href="/log-in?next=/organize">Log in</A> or <A href="/sign-up">sign up</A> to create events and run them with your team.</p>
          </EmptyState>
        }>
          <div class="organize-grid">
            <section class="card organize-grid__wide" aria-labelledby="my-events">
              <h2 id="my-events" class="card__title">Your events</h2>
              <Show when={(events()?.events.length ?? 0) > 0} fallback={<p class="organize-list__meta">No events yet. Create one below; events you are invited to help run appear here too.</p>}>
                <ul class="organize-list">
                  <For each={events()!.events}>{(event) => <EventRow event={event} />}</For>
                </ul>
              </Show>
            </section>
            <Show when={managed().length > 0}>
              <NewEventCard organizations={managed()} />
            </Show>
            <section class="card" aria-labelledby="my-orgs">
              <h2 id="my-orgs" class="card__title">Organizations</h2>
              <ul class="organize-list">
                <For each={orgs()?.organizations}>{(org) => (
                  <li class="organize-list__item">
                    <A href={`/organize/organizations/${org.id}`}>{org.name}</A>
                    <span class="badge">{org.role}</span>
                  </li>
                )}</For>
              </ul>
              <NewOrganizationForm created={() => void refetchOrgs()} />
            </section>
          </div>
        </Show>
      </Show>
    </>
  );
}

function EventRow(props: { event: EventSummary }) {
  return (
    <li class="organize-list__item">
      <div>
        <A href={`/organize/events/${props.event.id}`} class="organize-list__title">{props.event.title}</A>
        <div class="organize-list__meta">{props.event.organization.name} · {formatInZone(props.event.startsAt, props.event.timeZone)}</div>
      </div>
      <div class="organize-list__badges">
        <span class={`badge status-badge status-badge--${props.event.status}`}>{STATUS_LABELS[props.event.status]}</span>
        <Show when={props.event.teamRole}><span class="badge">{ROLE_LABELS[props.event.teamRole!]}</span></Show>
      </div>
    </li>
  );
}

function NewEventCard(props: { organizations: { id: string; name: string }[] }) {
  const navigate = useNavigate();
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const [values, setValues] = createSignal({ organizationId: props.organizations[0].id, title: '', timeZone: browserZone(), startsAt: `${tomorrow}T09:00`, endsAt: `${tomorrow}T17:00` });
  type Field = keyof ReturnType<typeof values>;
  const set = (field: Field) => (value: string) => setValues({ ...values(), [field]: value });
  const form = createFormState<Field>();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const v = values();
    void form.run(async () => {
      const { event: created } = await organizeApi.create({
        organizationId: v.organizationId, title: v.title, timeZone: v.timeZone,
        startsAt: zonedToUtc(v.startsAt, v.timeZone), endsAt: zonedToUtc(v.endsAt, v.timeZone),
      });
      navigate(`/organize/events/${created.id}/details`);
    }, ['organizationId', 'title', 'timeZone', 'startsAt', 'endsAt']);
  };
  return (
    <section class="card" aria-labelledby="new-event">
      <h2 id="new-event" class="card__title">New event</h2>
      <FormMessages alert={form.alert()} />
      <form class="form" novalidate onSubmit={submit}>
        <SelectField id="new-event-org" label="Organization" value={values().organizationId} onValue={set('organizationId')}
          options={props.organizations.map((o) => [o.id, o.name] as const)} error={form.errors().organizationId} />
        <TextField id="new-event-title" label="Title" value={values().title} onValue={set('title')} error={form.errors().title} required />
        <TextField id="new-event-zone" label="Time zone" hint="Where the event happens, e.g. Europe/Lisbon" value={values().timeZone} onValue={set('timeZone')} error={form.errors().timeZone} />
        <div class="form__row">
          <TextField id="new-event-start" label="Starts" type="datetime-local" value={values().startsAt} onValue={set('startsAt')} error={form.errors().startsAt} />
          <TextField id="new-event-end" label="Ends" type="datetime-local" value={values().endsAt} onValue={set('endsAt')} error={form.errors().endsAt} />
        </div>
        <SubmitButton busy={form.busy()} busyLabel="Creating…" block={false}>Create event</SubmitButton>
      </form>
    </section>
  );
}

function NewOrganizationForm(props: { created: () => void }) {
  const [name, setName] = createSignal('');
  const [slug, setSlug] = createSignal('');
  const form = createFormState<'name' | 'slug'>();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      await organizeApi.createOrganization(name(), slug());
      setName('');
      setSlug('');
      form.setNotice('Organization created.');
      props.created();
    }, ['name', 'slug']);
  };
  return (
    <form class="form organize-subform" novalidate onSubmit={submit} aria-label="New organization">
      <h3 class="organize-subtitle">New organization</h3>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <TextField id="new-org-name" label="Name" value={name()} onValue={(v) => {
        setName(v);
        setSlug(v.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''));
      }} error={form.errors().name} />
      <TextField id="new-org-slug" label="Address" hint="Lowercase letters, digits and dashes" value={slug()} onValue={setSlug} error={form.errors().slug} />
      <SubmitButton busy={form.busy()} busyLabel="Creating…" block={false}>Create organization</SubmitButton>
    </form>
  );
}
