/**
 * The organizer's feedback report for one event: averages for the event, the organizer,
 * each session and speaker, the NPS-style summary, survey results, the CSV export, and the
 * comments to reply to or feature as testimonials.
 */
import { useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { feedbackApi, type OrganizerComment, type Summary } from './api.ts';
import '../sponsors/sponsors.css';
import './feedback.css';
import { createStatusAction } from '../../ui/status-action.ts';

const average = (s: Summary) => (s.count ? `${s.average?.toFixed(2)} (${s.count})` : '–');

export function FeedbackReportPage() {
  const params = useParams<{ id: string }>();
  const [data, { refetch }] = createResource(() => params.id, (id) => feedbackApi.report(id));
  const [question, setQuestion] = createSignal('');
  const [kind, setKind] = createSignal<'stars' | 'text'>('stars');
  const { status, act } = createStatusAction(refetch);
  return (
    <div class="feedback-report">
      <PageHeader title="Feedback" lead={data.latest ? `What attendees said about ${data.latest.report.event.title}` : undefined}
        actions={<a class="button" href={`/api/organize/events/${params.id}/feedback.csv`} download="feedback.csv">Export CSV</a>} />
      <p class="form-note" role="status">{status()}</p>
      <Show when={data.error}>
        <p class="form-alert" role="alert">{(data.error as Error).message}</p>
      </Show>
      <Show when={data.latest}>
        {(d) => (
          <>
            <section class="card feedback-report__headline" aria-labelledby="nps-title">
              <h2 class="card__title" id="nps-title">Summary</h2>
              <dl class="feedback-report__figures">
                <div><dt>Event</dt><dd>{average(d().report.event)}</dd></div>
                <div><dt>Organizer</dt><dd>{average(d().report.organizer)}</dd></div>
                <div><dt>Net score</dt><dd>{d().report.nps.score === null ? '–' : d().report.nps.score}</dd></div>
                <div><dt>Promoters / passives / detractors</dt><dd>{d().report.nps.promoters} / {d().report.nps.passives} / {d().report.nps.detractors}</dd></div>
              </dl>
              <p class="form-note">Net score: the share of 5-star event ratings minus the share of 1–3 star ones, in points.</p>
              <button type="button" class="button" onClick={() => void act(() => feedbackApi.invite(params.id), 'Attendees of what has ended are being asked to rate it.')}>Ask attendees to rate now</button>
            </section>
            <section class="card" aria-labelledby="per-session">
              <h2 class="card__title" id="per-session">Sessions and speakers</h2>
              <div class="table-scroll">
                <table class="data-table">
                  <thead><tr><th scope="col">Session or speaker</th><th scope="col">Average (ratings)</th></tr></thead>
                  <tbody>
                    <For each={d().report.sessions}>{(s) => <tr><th scope="row">{s.title}</th><td>{average(s)}</td></tr>}</For>
                    <For each={d().report.speakers}>{(s) => <tr><th scope="row">{s.name} <span class="form-note">(speaker)</span></th><td>{average(s)}</td></tr>}</For>
                  </tbody>
                </table>
              </div>
            </section>
            <section class="card" aria-labelledby="survey-title">
              <h2 class="card__title" id="survey-title">Survey</h2>
              <ul class="feedback-report__questions">
                <For each={d().report.questions}>
                  {(q) => (
                    <li>
                      <strong>{q.label}</strong> — {q.responses} answers{q.average !== null ? `, average ${q.average}` : ''}
                      <Show when={q.texts.length}><ul><For each={q.texts}>{(t) => <li>{t}</li>}</For></ul></Show>
                    </li>
                  )}
                </For>
              </ul>
              <form class="form inline-form" onSubmit={(e) => {
                e.preventDefault();
                void act(async () => { await feedbackApi.addQuestion(params.id, { label: question(), kind: kind() }); setQuestion(''); }, 'Question added.');
              }}>
                <div class="field">
                  <label class="field__label" for="question-label">New question</label>
                  <input class="field__input" id="question-label" required maxLength={300} value={question()} onInput={(e) => setQuestion(e.currentTarget.value)} />
                </div>
                <div class="field">
                  <label class="field__label" for="question-kind">Answer</label>
                  <select class="field__input" id="question-kind" value={kind()} onChange={(e) => setKind(e.currentTarget.value as 'stars' | 'text')}>
                    <option value="stars">1–5 stars</option>
                    <option value="text">Text</option>
                  </select>
                </div>
                <button type="submit" class="button button--primary">Add question</button>
              </form>
            </section>
            <section class="card" aria-labelledby="comments-title">
              <h2 class="card__title" id="comments-title">Comments</h2>
              <ul class="feedback-report__comments">
                <For each={d().comments}>{(c) => <CommentItem comment={c} act={act} />}</For>
              </ul>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}

function CommentItem(props: { comment: OrganizerComment; act: (what: () => Promise<unknown>, done: string) => Promise<void> }) {
  const [reply, setReply] = createSignal(props.comment.reply);
  const c = () => props.comment;
  return (
    <li class="feedback-report__comment">
      <p><strong>{c().stars}★</strong> {c().targetType} · {c().author}{c().reported ? ' · reported' : ''}</p>
      <Show when={!c().hidden} fallback={<p class="form-note">Hidden by an administrator.</p>}>
        <blockquote class="testimonial__quote">{c().comment}</blockquote>
        <form class="form" onSubmit={(e) => { e.preventDefault(); void props.act(() => feedbackApi.reply(c().id, reply()), 'Reply published.'); }}>
          <div class="field">
            <label class="field__label" for={`reply-${c().id}`}>Public reply</label>
            <textarea class="field__input" id={`reply-${c().id}`} rows={2} maxLength={2000} value={reply()} onInput={(e) => setReply(e.currentTarget.value)} />
          </div>
          <div class="action-row">
            <button type="submit" class="button">Publish reply</button>
            <button type="button" class="button" aria-pressed={c().featured}
              onClick={() => void props.act(() => feedbackApi.feature(c().id, !c().featured), c().featured ? 'No longer featured.' : 'Featured as a testimonial.')}>
              {c().featured ? 'Unfeature' : 'Feature as testimonial'}
            </button>
          </div>
        </form>
      </Show>
    </li>
  );
}
