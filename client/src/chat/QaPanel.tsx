/** A session's questions: ask (optionally anonymously), upvote once, sort; hosts approve, answer, dismiss and pin. */
import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { RealtimeError } from '../api/realtime.ts';
import { useRealtime } from '../shell/realtime-context.tsx';
import { onPush, type Question } from './protocol.ts';

export function QaPanel(props: { sessionId: string }) {
  const { client } = useRealtime();
  const [questions, setQuestions] = createStore<Question[]>([]);
  const [voted, setVoted] = createSignal<string[]>([]);
  const [isHost, setIsHost] = createSignal(false);
  const [premoderation, setPremoderation] = createSignal(false);
  const [sort, setSort] = createSignal<'votes' | 'time'>('votes');
  const [text, setText] = createSignal('');
  const [anonymous, setAnonymous] = createSignal(false);
  const [error, setError] = createSignal('');
  const act = (run: () => Promise<unknown>) => run().then(() => setError(''), (e: RealtimeError) => setError(e.message));

  const load = () =>
    act(async () => {
      const reply = await client.request('qa.subscribe', { sessionId: props.sessionId });
      setQuestions(reconcile(reply.questions));
      setVoted(reply.myVotes);
      setIsHost(reply.isHost);
      setPremoderation(reply.premoderation);
    });
  const upsert = (question: Question) => {
    if (question.sessionId !== props.sessionId) return;
    const at = questions.findIndex((q) => q.id === question.id);
    if (at === -1) setQuestions(questions.length, question);
    else setQuestions(at, reconcile(question));
  };
  const offs = [
    onPush(client, 'qa.updated', ({ question }) => upsert(question)),
    onPush(client, 'qa.settings', (push) => push.sessionId === props.sessionId && setPremoderation(push.premoderation)),
    client.onStatus((s) => s === 'open' && void load()),
  ];
  onMount(() => void load());
  onCleanup(() => offs.forEach((off) => off()));

  const sorted = () =>
    questions
      .filter((q) => q.status !== 'dismissed')
      .slice()
      .sort((a, b) => Number(b.pinned) - Number(a.pinned) || (sort() === 'votes' ? b.votes - a.votes : 0) || a.createdAt.localeCompare(b.createdAt));

  const ask = (event: SubmitEvent) => {
    event.preventDefault();
    void act(async () => {
      const { question } = await client.request('qa.ask', { sessionId: props.sessionId, text: text(), anonymous: anonymous() });
      upsert(question);
      setText('');
    });
  };
  const moderate = (question: Question, action: 'approve' | 'answer' | 'answer_live' | 'dismiss' | 'pin' | 'unpin') =>
    void act(async () => upsert((await client.request('qa.moderate', { questionId: question.id, action })).question));

  return (
    <section class="qa" aria-label="Questions">
      <div class="qa__bar">
        <label>Sort by{' '}
          <select value={sort()} onChange={(e) => setSort(e.currentTarget.value as 'votes' | 'time')}>
            <option value="votes">Most votes</option>
            <option value="time">Oldest first</option>
          </select>
        </label>
        <Show when={isHost()}>
          <label><input type="checkbox" checked={premoderation()}
            onChange={(e) => { const on = e.currentTarget.checked; void act(() => client.request('qa.settings', { sessionId: props.sessionId, premoderation: on })); }} /> Approve questions first</label>
        </Show>
      </div>
      <ul class="engage-list">
        <For each={sorted()}>
          {(question) => (
            <li class="engage-card" classList={{ 'engage-card--pinned': question.pinned }} data-testid="question">
              <p class="qa__text">{question.text}</p>
              <p class="form-note">
                {question.author?.name ?? 'Anonymous'} · <span data-testid="question-votes">{question.votes}</span> votes
                <Show when={question.status !== 'open'}> · <span class="badge">{question.status === 'answered' && question.answeredLive ? 'answered live' : question.status}</span></Show>
                <Show when={question.pinned}> · <span class="badge">on stage</span></Show>
              </p>
              <Show when={question.answer}><p class="qa__answer">{question.answer}</p></Show>
              <div class="engage-card__tools">
                <button type="button" class="button" disabled={voted().includes(question.id)} aria-label={`Upvote: ${question.text}`}
                  onClick={() => void act(async () => { await client.request('qa.upvote', { questionId: question.id }); setVoted([...voted(), question.id]); })}>
                  ▲ Upvote
                </button>
                <Show when={isHost()}>
                  <Show when={question.status === 'pending'}><button type="button" class="button" onClick={() => moderate(question, 'approve')}>Approve</button></Show>
                  <button type="button" class="button" onClick={() => moderate(question, 'answer_live')}>Answered live</button>
                  <button type="button" class="button" onClick={() => moderate(question, question.pinned ? 'unpin' : 'pin')}>{question.pinned ? 'Unpin' : 'Pin on stage'}</button>
                  <button type="button" class="button" onClick={() => moderate(question, 'dismiss')}>Dismiss</button>
                </Show>
              </div>
            </li>
          )}
        </For>
      </ul>
      <form class="chat__form" onSubmit={ask}>
        <label class="visually-hidden" for={`qa-ask-${props.sessionId}`}>Your question</label>
        <input id={`qa-ask-${props.sessionId}`} class="field__input" value={text()} maxLength={500} placeholder="Ask a question"
          onInput={(e) => setText(e.currentTarget.value)} required />
        <label><input type="checkbox" checked={anonymous()} onChange={(e) => setAnonymous(e.currentTarget.checked)} /> Anonymous</label>
        <button type="submit" class="button button--primary">Ask</button>
      </form>
      <Show when={premoderation() && !isHost()}><p class="form-note">Questions appear once a host approves them.</p></Show>
      <Show when={error()}><p class="field__error" role="alert">{error()}</p></Show>
    </section>
  );
}
