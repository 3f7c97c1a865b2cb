import { createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { organizeApi, STATUS_LABELS, type Visibility } from './api.ts';
import { SelectField, TextAreaField } from './controls.tsx';
import type { TabProps } from './EventEditorPage.tsx';
import { formatInZone } from './time.ts';

const VISIBILITIES = [['public', 'Public: listed and searchable once approved'], ['unlisted', 'Unlisted: reachable by link only'], ['invite_only', 'Invite-only']] as const;
const DECISIONS: Record<string, string> = {
  submitted: 'Submitted for review', approved: 'Approved', changes_requested: 'Changes requested', rejected: 'Rejected', re_review: 'Back to review after a key change',
};

/** Who can see the event, and its way through approval. */
export function VisibilityTab(props: TabProps) {
  const e = () => props.detail.event;
  const [visibility, setVisibility] = createSignal<Visibility>(e().visibility);
  const [invitees, setInvitees] = createSignal(props.detail.invitees.join('\n'));
  const [code, setCode] = createSignal('');
  const form = createFormState<'visibility' | 'invitees' | 'accessCode'>();
  const review = createFormState<never>();
  const save = (event: SubmitEvent, removeCode = false) => {
    event.preventDefault();
    void form.run(async () => {
      await organizeApi.setVisibility(e().id, {
        visibility: visibility(),
        ...(visibility() === 'invite_only' ? { invitees: invitees().split(/[\s,;]+/).filter(Boolean) } : {}),
        ...(removeCode ? { accessCode: null } : code().trim() ? { accessCode: code() } : {}),
      });
      setCode('');
      form.setNotice('Saved.');
      props.reload();
    }, ['visibility', 'invitees', 'accessCode']);
  };
  const submittable = () => e().status === 'draft' || e().status === 'changes_requested';
  return (
    <div class="organize-grid">
      <section class="card" aria-labelledby="visibility-heading">
        <h2 id="visibility-heading" class="card__title">Visibility</h2>
        <FormMessages alert={form.alert()} notice={form.notice()} />
        <form class="form" novalidate onSubmit={(ev) => save(ev)}>
          <fieldset class="organize-fieldset" disabled={!props.detail.permissions.update}>
            <legend class="visually-hidden">Who can see the event</legend>
            <SelectField id="visibility" label="Who can see it" value={visibility()} options={VISIBILITIES} onValue={setVisibility} error={form.errors().visibility} />
            <Show when={visibility() === 'invite_only'}>
              <TextAreaField id="invitees" label="Invited e-mail addresses" hint="One per line" rows={5} value={invitees()} onValue={setInvitees} error={form.errors().invitees} />
            </Show>
            <TextField id="access-code" label={e().hasAccessCode ? 'New access code' : 'Access code'} type="text"
              hint={e().hasAccessCode ? 'A code is set; type a new one to replace it. It opens the event and hidden ticket types.' : 'Optional: opens the event and hidden ticket types to whoever has it'}
              value={code()} onValue={setCode} error={form.errors().accessCode} autocomplete="off" />
            <div class="organize-actions">
              <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>Save visibility</SubmitButton>
              <Show when={e().hasAccessCode}>
                <button type="button" class="button" onClick={(ev) => save(ev as unknown as SubmitEvent, true)}>Remove the access code</button>
              </Show>
            </div>
          </fieldset>
        </form>
      </section>
      <section class="card" aria-labelledby="approval-heading">
        <h2 id="approval-heading" class="card__title">Approval</h2>
        <p>Status: <span class={`badge status-badge status-badge--${e().status}`}>{STATUS_LABELS[e().status]}</span></p>
        <Show when={e().reviewComment}>
          <blockquote class="organize-quote">{e().reviewComment}</blockquote>
        </Show>
        <FormMessages alert={review.alert()} notice={review.notice()} />
        <Show when={submittable() && props.detail.permissions.update}>
          <button type="button" class="button button--primary" onClick={() => void review.run(async () => {
            await organizeApi.submit(e().id);
            review.setNotice('Submitted; an admin will review it.');
            props.reload();
          })}>Submit for review</button>
        </Show>
        <p class="form-note">An admin approves each event before it is published. Changing the title, dates or visibility of an approved event sends it back to review.</p>
        <ol class="organize-activity">
          <For each={props.detail.reviews}>{(r) => (
            <li><strong>{DECISIONS[r.decision] ?? r.decision}</strong>{r.by ? ` by ${r.by}` : ''} · {formatInZone(r.at, e().timeZone)}{r.comment ? `: ${r.comment}` : ''}</li>
          )}</For>
        </ol>
      </section>
    </div>
  );
}
