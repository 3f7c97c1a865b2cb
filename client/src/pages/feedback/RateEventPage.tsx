/**
 * Where an attendee rates an event they attended (the invitation links here): the event, the
 * organizer, each session their ticket included and its speakers, 1–5 stars and a comment
 * each, editable for 14 days; then the organizer's survey.
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { discoveryApi } from '../events/api.ts';
import { feedbackApi, type FormTarget, type SurveyQuestion } from './api.ts';
import { StarInput } from './Stars.tsx';
import './feedback.css';

const KIND_LABEL: Record<FormTarget['type'], string> = { event: 'The event', organizer: 'The organizer', session: 'Session', speaker: 'Speaker' };

export function RateEventPage() {
  const params = useParams<{ slug: string }>();
  const [form] = createResource(() => params.slug, async (slug) => feedbackApi.form((await discoveryApi.event(slug)).event.id));
  const message = () => {
    const error = form.error;
    if (!error) return '';
    if (error instanceof ApiError && error.status === 401) return 'Log in to rate this event.';
    if (error instanceof ApiError && error.code === 'not_an_attendee') return 'Only attendees with a ticket can rate this event.';
    return error instanceof Error ? error.message : 'The form could not be loaded';
  };
  return (
    <div class="rate-page">
      <PageHeader title={form.latest ? `Rate ${form.latest.event.title}` : 'Rate the event'} lead="Stars from 1 to 5 and a comment if you like. You can change them for 14 days." />
      <Show when={message()}>
        <p class="form-alert" role="alert">{message()}</p>
      </Show>
      <Show when={form.latest}>
        {(f) => (
          <>
            <ul class="rate-page__targets">
              <For each={f().targets}>{(target) => <li><RateTarget eventId={f().event.id} target={target} /></li>}</For>
            </ul>
            <Show when={f().questions.length > 0}>
              <Survey eventId={f().event.id} questions={f().questions} />
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}

function RateTarget(props: { eventId: string; target: FormTarget }) {
  const [stars, setStars] = createSignal(props.target.rating?.stars ?? 0);
  const [comment, setComment] = createSignal(props.target.rating?.comment ?? '');
  const [status, setStatus] = createSignal('');
  const [error, setError] = createSignal('');
  const id = `rate-${props.target.type}-${props.target.id}`;
  const closed = () => props.target.rating !== null && new Date(props.target.rating.editableUntil) < new Date();
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setError('');
    setStatus('');
    if (stars() === 0) return setError('Choose 1 to 5 stars');
    try {
      await feedbackApi.rate(props.eventId, { targetType: props.target.type, targetId: props.target.id, stars: stars(), comment: comment() });
      setStatus('Saved. Thank you!');
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Not saved');
    }
  };
  return (
    <form class="card rate-target" aria-labelledby={`${id}-title`} onSubmit={(e) => void save(e)}>
      <p class="eyebrow">{KIND_LABEL[props.target.type]}</p>
      <h2 class="card__title" id={`${id}-title`}>{props.target.title}</h2>
      <Show when={props.target.open} fallback={<p class="form-note">You can rate this once it has started.</p>}>
        <StarInput name={`${id}-stars`} label={`Your rating of ${props.target.title}`} value={stars()} onValue={setStars} disabled={closed()} />
        <div class="field">
          <label class="field__label" for={`${id}-comment`}>Comment (optional, shown publicly with your first name)</label>
          <textarea class="field__input rate-target__comment" id={`${id}-comment`} maxLength={2000} rows={3} value={comment()} disabled={closed()} onInput={(e) => setComment(e.currentTarget.value)} />
        </div>
        <Show when={props.target.rating?.reply}>
          <p class="testimonial__reply"><span class="testimonial__reply-label">Organizer's reply:</span> {props.target.rating!.reply}</p>
        </Show>
        <Show when={!closed()} fallback={<p class="form-note">The 14 days to change this rating are over.</p>}>
          <button type="submit" class="button button--primary">{props.target.rating ? 'Update rating' : 'Save rating'}</button>
        </Show>
        <p class="form-note" role="status">{status()}</p>
        <Show when={error()}>
          <p class="form-alert" role="alert">{error()}</p>
        </Show>
      </Show>
    </form>
  );
}

function Survey(props: { eventId: string; questions: SurveyQuestion[] }) {
  const [answers, setAnswers] = createSignal<Record<string, string>>(Object.fromEntries(props.questions.map((q) => [q.id, q.answer ?? ''])));
  const [status, setStatus] = createSignal('');
  const set = (id: string, value: string) => setAnswers({ ...answers(), [id]: value });
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    const filled = Object.entries(answers()).filter(([, v]) => v.trim()).map(([questionId, value]) => ({ questionId, value }));
    try {
      await feedbackApi.answer(props.eventId, filled);
      setStatus('Answers saved. Thank you!');
    } catch (err) {
      setStatus(err instanceof Error ? err.message : 'Not saved');
    }
  };
  return (
    <form class="card rate-target" aria-labelledby="survey-title" onSubmit={(e) => void save(e)}>
      <h2 class="card__title" id="survey-title">A few questions from the organizer</h2>
      <For each={props.questions}>
        {(q) => (
          <Show when={q.kind === 'stars'} fallback={
            <div class="field">
              <label class="field__label" for={`q-${q.id}`}>{q.label}</label>
              <textarea class="field__input" id={`q-${q.id}`} rows={2} maxLength={2000} value={answers()[q.id]} onInput={(e) => set(q.id, e.currentTarget.value)} />
            </div>
          }>
            <StarInput name={`q-${q.id}`} label={q.label} value={Number(answers()[q.id] || 0)} onValue={(n) => set(q.id, String(n))} />
          </Show>
        )}
      </For>
      <button type="submit" class="button button--primary">Save answers</button>
      <p class="form-note" role="status">{status()}</p>
    </form>
  );
}
