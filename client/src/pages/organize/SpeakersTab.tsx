import { createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../account/form.tsx';
import { organizeApi, type Speaker, uploadImage } from './api.ts';
import { EditableItem, TextAreaField } from './controls.tsx';
import type { TabProps } from './EventEditorPage.tsx';

/** How the speaker's account stands: linked, or only an invited address until its owner accepts. */
function accountNote(sp: Speaker): string {
  if (sp.userEmail) return ` · linked to ${sp.userEmail}`;
  if (sp.invitation) return ` · ${sp.invitation.email} ${sp.invitation.status === 'expired' ? '(invitation expired)' : '(invited)'}`;
  return '';
}

/** Speakers: each editable in place, with a photo; an invited account, once accepted, gets speaker rights in the rooms. */
export function SpeakersTab(props: TabProps) {
  const [editing, setEditing] = createSignal<string | null>(null);
  return (
    <div class="organize-grid">
      <section class="card organize-grid__wide" aria-labelledby="speakers-heading">
        <h2 id="speakers-heading" class="card__title">Speakers</h2>
        <ul class="organize-list">
          <For each={props.detail.speakers} fallback={<li class="form-note">No speakers yet.</li>}>{(sp) => (
            <EditableItem label={sp.name} canEdit={props.detail.permissions.update} editing={editing() === sp.id}
              toggle={() => setEditing(editing() === sp.id ? null : sp.id)} summary={
                <div class="organize-speaker">
                  <Show when={sp.photoUrl} fallback={<span class="avatar" aria-hidden="true">{sp.name.slice(0, 1).toUpperCase()}</span>}>
                    <img class="avatar" src={sp.photoUrl!} alt="" />
                  </Show>
                  <div>
                    <strong>{sp.name}</strong>
                    <div class="organize-list__meta organize-invitation__email">{sp.title}{accountNote(sp)}</div>
                  </div>
                </div>
              }>
              <SpeakerForm {...props} speaker={sp} done={() => { setEditing(null); props.reload(); }} />
            </EditableItem>
          )}</For>
        </ul>
      </section>
      <Show when={props.detail.permissions.update}>
        <section class="card organize-grid__wide" aria-labelledby="add-speaker">
          <h2 id="add-speaker" class="card__title">Add a speaker</h2>
          <SpeakerForm {...props} done={props.reload} />
        </section>
      </Show>
    </div>
  );
}

function SpeakerForm(props: TabProps & { speaker?: Speaker; done: () => void }) {
  const sp = props.speaker;
  const initial = () => ({
    name: sp?.name ?? '', title: sp?.title ?? '', bio: sp?.bio ?? '', userEmail: sp?.userEmail ?? sp?.invitation?.email ?? '',
    links: (sp?.links ?? []).map((l) => `${l.label} ${l.url}`).join('\n'),
  });
  const [values, setValues] = createSignal(initial());
  type Values = ReturnType<typeof initial>;
  const set = (field: keyof Values) => (value: string) => setValues({ ...values(), [field]: value });
  const form = createFormState<string>();
  const invitation = () => sp?.invitation ?? null;
  const prefix = sp ? `speaker-${sp.id}` : 'speaker-new';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const v = values();
    const links = v.links.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
      const at = line.lastIndexOf(' ');
      return at < 0 ? { label: line, url: line } : { label: line.slice(0, at).trim(), url: line.slice(at + 1) };
    });
    const input = { name: v.name, title: v.title, bio: v.bio, links, userEmail: v.userEmail.trim() || null };
    void form.run(async () => {
      if (sp) await organizeApi.updateSpeaker(sp.id, input);
      else {
        await organizeApi.addSpeaker(props.detail.event.id, input);
        setValues(initial());
      }
      const invited = input.userEmail && input.userEmail !== sp?.userEmail && input.userEmail !== sp?.invitation?.email;
      form.setNotice(invited ? `Saved. We e-mailed an invitation to ${input.userEmail}; the speaker is linked once they accept it.` : 'Saved.');
      props.done();
    }, ['name', 'title', 'bio', 'userEmail', 'links']);
  };
  const photo = (file: File | undefined) => {
    if (!file || !sp) return;
    void form.run(async () => { await uploadImage(`/organize/speakers/${sp.id}/photo`, file); props.done(); });
  };
  return (
    <form class="form organize-subform" novalidate onSubmit={submit} aria-label={sp ? `Edit ${sp.name}` : 'New speaker'}>
      <FormMessages alert={form.alert()} notice={form.notice()} />
      <div class="form__row">
        <TextField id={`${prefix}-name`} label="Name" value={values().name} onValue={set('name')} error={form.errors().name} />
        <TextField id={`${prefix}-title`} label="Title or role" value={values().title} onValue={set('title')} error={form.errors().title} />
      </div>
      <TextAreaField id={`${prefix}-bio`} label="Bio" rows={3} value={values().bio} onValue={set('bio')} error={form.errors().bio} />
      <TextAreaField id={`${prefix}-links`} label="Links" hint="One per line: a label, a space, the address" rows={2} value={values().links} onValue={set('links')} error={form.errors().links} />
      <TextField id={`${prefix}-account`} label="Invite their account (e-mail)" type="email"
        hint="Optional: we e-mail them a link; once they accept, signed in with this address, they get speaker rights in the rooms"
        value={values().userEmail} onValue={set('userEmail')} error={form.errors().userEmail} />
      <Show when={invitation()}>{(i) => (
        <p class="form-note organize-invitation__email" role="status">
          {i().status === 'expired' ? `The invitation to ${i().email} expired.` : `Invited ${i().email}; not linked until they accept.`}{' '}
          <button type="button" class="button" onClick={() => void form.run(async () => {
            await organizeApi.resendInvitation(i().id); form.setNotice(`Invitation sent again to ${i().email}.`); props.reload();
          })}>Resend invitation</button>{' '}
          <button type="button" class="button" onClick={() => void form.run(async () => {
            await organizeApi.revokeInvitation(i().id); form.setNotice('Invitation withdrawn.'); props.reload();
          })}>Withdraw</button>
        </p>
      )}</Show>
      <div class="organize-actions">
        <SubmitButton busy={form.busy()} busyLabel="Saving…" block={false}>{sp ? 'Save speaker' : 'Add speaker'}</SubmitButton>
        <Show when={sp}>
          <label class="button">
            Photo…
            <input class="visually-hidden" type="file" accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => photo(e.currentTarget.files?.[0])} />
          </label>
          <button type="button" class="button button--danger" onClick={() => void form.run(async () => { await organizeApi.removeSpeaker(sp!.id); props.done(); })}>
            Remove speaker
          </button>
        </Show>
      </div>
    </form>
  );
}
