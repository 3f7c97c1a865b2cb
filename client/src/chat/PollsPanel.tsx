/** A session's polls: hosts create, open and close them; everyone votes and sees results live when allowed. */
import { createSignal, For, Index, onCleanup, onMount, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { RealtimeError } from '../api/realtime.ts';
import { useRealtime } from '../shell/realtime-context.tsx';
import { onPush, type Poll } from './protocol.ts';

export function PollsPanel(props: { sessionId: string }) {
  const { client } = useRealtime();
  const [polls, setPolls] = createStore<Poll[]>([]);
  const [myVotes, setMyVotes] = createStore<Record<string, string[]>>({});
  const [isHost, setIsHost] = createSignal(false);
  const [error, setError] = createSignal('');
  const act = (run: () => Promise<unknown>) => run().then(() => setError(''), (e: RealtimeError) => setError(e.message));

  const load = () =>
    act(async () => {
      const reply = await client.request('poll.subscribe', { sessionId: props.sessionId });
      setPolls(reconcile(reply.polls));
      setMyVotes(reconcile(reply.myVotes));
      setIsHost(reply.isHost);
    });
  const upsert = (poll: Poll) => {
    if (poll.sessionId !== props.sessionId) return;
    const at = polls.findIndex((p) => p.id === poll.id);
    if (at === -1) setPolls(polls.length, poll);
    else setPolls(at, reconcile(poll));
  };
  const offs = [onPush(client, 'poll.updated', ({ poll }) => upsert(poll)), client.onStatus((s) => s === 'open' && void load())];
  onMount(() => void load());
  onCleanup(() => offs.forEach((off) => off()));

  const vote = (poll: Poll, optionId: string, checked: boolean) => {
    const current = myVotes[poll.id] ?? [];
    const next = poll.multiple ? (checked ? [...current, optionId] : current.filter((id) => id !== optionId)) : [optionId];
    void act(async () => {
      const reply = await client.request('poll.vote', { pollId: poll.id, optionIds: next });
      setMyVotes(poll.id, reply.optionIds);
    });
  };

  return (
    <section class="polls" aria-label="Polls">
      <Show when={isHost()}><PollComposer sessionId={props.sessionId} onCreated={upsert} onError={setError} /></Show>
      <Show when={polls.length === 0}><p class="form-note">No polls yet.</p></Show>
      <ul class="engage-list">
        <For each={polls.filter((p) => isHost() || p.status !== 'draft')}>
          {(poll) => (
            <li class="engage-card" data-testid="poll">
              <fieldset class="poll" disabled={poll.status !== 'open'}>
                <legend class="poll__question">{poll.question} <span class="badge">{poll.status}</span></legend>
                <For each={poll.options}>
                  {(option) => (
                    <label class="poll__option">
                      <input type={poll.multiple ? 'checkbox' : 'radio'} name={`poll-${poll.id}`}
                        checked={(myVotes[poll.id] ?? []).includes(option.id)}
                        onChange={(e) => vote(poll, option.id, e.currentTarget.checked)} />
                      {' '}{option.text}
                      <Show when={option.votes !== null}><span class="poll__votes" data-testid="poll-votes"> · {option.votes}</span></Show>
                    </label>
                  )}
                </For>
              </fieldset>
              <Show when={isHost()}>
                <div class="engage-card__tools">
                  <Show when={poll.status !== 'open'}>
                    <button type="button" class="button" onClick={() => void act(() => client.request('poll.open', { pollId: poll.id }))}>Open poll</button>
                  </Show>
                  <Show when={poll.status === 'open'}>
                    <button type="button" class="button" onClick={() => void act(() => client.request('poll.close', { pollId: poll.id }))}>Close poll</button>
                  </Show>
                  <a class="button" href={`/api/polls/${poll.id}/results.csv`} download="">Export CSV</a>
                </div>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={error()}><p class="field__error" role="alert">{error()}</p></Show>
    </section>
  );
}

function PollComposer(props: { sessionId: string; onCreated: (poll: Poll) => void; onError: (message: string) => void }) {
  const { client } = useRealtime();
  const [question, setQuestion] = createSignal('');
  const [options, setOptions] = createSignal(['', '']);
  const [multiple, setMultiple] = createSignal(false);
  const [anonymous, setAnonymous] = createSignal(false);
  const [hostsOnly, setHostsOnly] = createSignal(false);
  let composer: HTMLDetailsElement | undefined;
  let summary: HTMLElement | undefined;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    client
      .request('poll.create', {
        sessionId: props.sessionId, question: question(), options: options().filter((o) => o.trim()), multiple: multiple(),
        anonymous: anonymous(), resultsVisibility: hostsOnly() ? 'hosts' : 'all', allowChange: true,
      })
      .then(({ poll }) => {
        props.onCreated(poll);
        // A fresh composer, folded away, so the new poll (below it) is in view; focus stays on the composer's summary.
        setQuestion('');
        setOptions(['', '']);
        setMultiple(false);
        setAnonymous(false);
        setHostsOnly(false);
        if (composer) composer.open = false;
        summary?.focus();
      }, (e: RealtimeError) => props.onError(e.message));
  };
  return (
    <details class="engage-composer" ref={composer}>
      <summary ref={summary}>New poll</summary>
      <form class="form" onSubmit={submit}>
        <label class="field"><span class="field__label">Question</span>
          <input class="field__input" value={question()} onInput={(e) => setQuestion(e.currentTarget.value)} required maxLength={300} />
        </label>
        <Index each={options()}>
          {(option, i) => (
            <label class="field"><span class="field__label">Option {i + 1}</span>
              <input class="field__input" value={option()} maxLength={200}
                onInput={(e) => setOptions(options().map((o, j) => (j === i ? e.currentTarget.value : o)))} />
            </label>
          )}
        </Index>
        <button type="button" class="button" onClick={() => setOptions([...options(), ''])}>Add option</button>
        <fieldset class="engage-composer__choices">
          <legend class="visually-hidden">Poll settings</legend>
          <label><input type="checkbox" checked={multiple()} onChange={(e) => setMultiple(e.currentTarget.checked)} /> Multiple choice</label>
          <label><input type="checkbox" checked={anonymous()} onChange={(e) => setAnonymous(e.currentTarget.checked)} /> Anonymous</label>
          <label><input type="checkbox" checked={hostsOnly()} onChange={(e) => setHostsOnly(e.currentTarget.checked)} /> Results for hosts only</label>
        </fieldset>
        <button type="submit" class="button button--primary">Create poll</button>
      </form>
    </details>
  );
}
