/**
 * The organizer's announcement composer, for the event dashboard: a subject and a message
 * to every ticket holder of the event, or of one session, in the inbox and by e-mail.
 */
import { createSignal, For, Show } from 'solid-js';
import { api, ApiError } from '../api/http.ts';

export function AnnouncementComposer(props: { eventId: string; sessions: { id: string; title: string }[] }) {
  const [subject, setSubject] = createSignal('');
  const [body, setBody] = createSignal('');
  const [sessionId, setSessionId] = createSignal('');
  const [status, setStatus] = createSignal<{ ok?: string; error?: string }>({});
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    try {
      await api.post(`/events/${props.eventId}/announcements`, { subject: subject(), body: body(), sessionId: sessionId() || null });
      setStatus({ ok: 'Sent. Attendees get it in the app now and by e-mail in a moment.' });
      setSubject('');
      setBody('');
    } catch (error) {
      setStatus({ error: error instanceof ApiError ? error.message : 'Could not send the announcement' });
    }
  };
  const id = (name: string) => `announce-${props.eventId}-${name}`;
  return (
    <form class="form card" onSubmit={(e) => void submit(e)} aria-labelledby={id('title')}>
      <h2 class="card__title" id={id('title')}>Announce something</h2>
      <div class="field">
        <label class="field__label" for={id('to')}>To</label>
        <select id={id('to')} class="field__input" value={sessionId()} onChange={(e) => setSessionId(e.currentTarget.value)}>
          <option value="">Every ticket holder</option>
          <For each={props.sessions}>{(s) => <option value={s.id}>Attendees of {s.title}</option>}</For>
        </select>
      </div>
      <div class="field">
        <label class="field__label" for={id('subject')}>Subject</label>
        <input id={id('subject')} class="field__input" value={subject()} onInput={(e) => setSubject(e.currentTarget.value)} required minLength={3} maxLength={150} />
      </div>
      <div class="field">
        <label class="field__label" for={id('body')}>Message</label>
        <textarea id={id('body')} class="field__input" rows={4} value={body()} onInput={(e) => setBody(e.currentTarget.value)} required maxLength={5000} />
      </div>
      <Show when={status().ok}><p role="status">{status().ok}</p></Show>
      <Show when={status().error}><p class="field__error" role="alert">{status().error}</p></Show>
      <button type="submit" class="button button--primary">Send announcement</button>
    </form>
  );
}
