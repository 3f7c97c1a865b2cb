/** The Tickets tab's promo codes and registration questions, each a list with an add form. */
import { createResource, createSignal, For, Show } from 'solid-js';
import { TextField } from '../../../ui/TextField.tsx';
import { createFormState, FormMessages, SubmitButton } from '../../account/form.tsx';
import type { Question } from '../../checkout/api.ts';
import { ticketingApi } from './api.ts';

/** Shortest new promo code, as the server requires (existing shorter codes keep working). */
const PROMO_CODE_MIN_LENGTH = 6;

function promoCodeProblem(code: string): string | null {
  const trimmed = code.trim();
  if (trimmed.length < PROMO_CODE_MIN_LENGTH) return `Use at least ${PROMO_CODE_MIN_LENGTH} characters, so the code cannot be guessed`;
  if (trimmed.length > 40) return 'Use at most 40 characters';
  if (!/^[A-Za-z0-9_-]+$/.test(trimmed)) return 'Use only letters, digits, dashes or underscores';
  return null;
}

export function PromoCodesCard(props: { eventId: string }) {
  const [codes, { refetch }] = createResource(() => props.eventId, (id) => ticketingApi.promoCodes(id));
  const form = createFormState<'code' | 'value' | 'maxUses'>();
  const [code, setCode] = createSignal('');
  const [kind, setKind] = createSignal<'percent' | 'amount'>('percent');
  const [value, setValue] = createSignal('10');
  const [maxUses, setMaxUses] = createSignal('');
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    // The server's rule (promo-codes.ts), checked here first so the field says it at once.
    const problem = promoCodeProblem(code());
    if (problem) {
      form.setAlert(null);
      form.setErrors({ code: problem });
      return;
    }
    void form.run(async () => {
      // Percent in the form, basis points on the wire; amounts in cents.
      const number = Number(value().replace(',', '.'));
      await ticketingApi.createPromo(props.eventId, { code: code(), kind: kind(), value: Math.round(number * 100), maxUses: maxUses() ? Number(maxUses()) : null });
      setCode('');
      void refetch();
    }, ['code', 'value', 'maxUses']);
  };
  return (
    <section class="card" aria-labelledby="promo-title">
      <h2 id="promo-title" class="card__title">Promo codes</h2>
      <Show when={(codes()?.promoCodes.length ?? 0) > 0} fallback={<p>No promo codes.</p>}>
        <ul class="tickets-tab__list">
          <For each={codes()?.promoCodes}>
            {(p) => (
              <li>
                <strong>{p.code}</strong> — {p.kind === 'percent' ? `${p.value / 100} % off` : `${(p.value / 100).toFixed(2)} off`} each ticket · used {p.used}{p.maxUses ? ` of ${p.maxUses}` : ''}{' '}
                <button type="button" class="button" aria-label={`Delete code ${p.code}`} onClick={() => void ticketingApi.deletePromo(p.id).then(refetch)}>Delete</button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form class="form tickets-tab__form" onSubmit={submit} novalidate>
        <div class="form__row">
          <TextField id="promo-code-new" label="Code" hint="At least 6 letters, digits, - or _, so it cannot be guessed" value={code()} onValue={setCode} error={form.errors().code} autocomplete="off" />
          <div class="field">
            <label class="field__label" for="promo-kind">Kind</label>
            <select id="promo-kind" class="field__input" value={kind()} onChange={(e) => setKind(e.currentTarget.value as 'percent' | 'amount')}>
              <option value="percent">Percent off</option>
              <option value="amount">Amount off</option>
            </select>
          </div>
          <TextField id="promo-value" label={kind() === 'percent' ? 'Percent' : 'Amount'} inputmode="decimal" value={value()} onValue={setValue} error={form.errors().value} />
          <TextField id="promo-max" label="Most uses" hint="Empty: no limit" inputmode="numeric" value={maxUses()} onValue={setMaxUses} error={form.errors().maxUses} />
        </div>
        <FormMessages alert={form.alert()} />
        <SubmitButton busy={form.busy()} busyLabel="Adding…" block={false}>Add promo code</SubmitButton>
      </form>
    </section>
  );
}

export function QuestionsCard(props: { eventId: string }) {
  const [questions, { refetch }] = createResource(() => props.eventId, (id) => ticketingApi.questions(id));
  const form = createFormState<'label' | 'choices'>();
  const [label, setLabel] = createSignal('');
  const [kind, setKind] = createSignal<Question['kind']>('text');
  const [choices, setChoices] = createSignal('');
  const [required, setRequired] = createSignal(false);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void form.run(async () => {
      const list = choices().split(',').map((c) => c.trim()).filter(Boolean);
      await ticketingApi.createQuestion(props.eventId, { label: label(), kind: kind(), choices: kind() === 'text' ? [] : list, required: required() });
      setLabel('');
      setChoices('');
      void refetch();
    }, ['label', 'choices']);
  };
  return (
    <section class="card" aria-labelledby="questions-title">
      <h2 id="questions-title" class="card__title">Questions for each attendee</h2>
      <Show when={(questions()?.questions.length ?? 0) > 0} fallback={<p>No questions: attendees give only their name and e-mail.</p>}>
        <ul class="tickets-tab__list">
          <For each={questions()?.questions}>
            {(q) => (
              <li>
                {q.label} <span class="muted">({q.kind === 'text' ? 'text' : q.choices.join(', ')}{q.required ? ', required' : ''})</span>{' '}
                <button type="button" class="button" aria-label={`Delete question ${q.label}`} onClick={() => void ticketingApi.deleteQuestion(q.id).then(refetch)}>Delete</button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form class="form tickets-tab__form" onSubmit={submit} novalidate>
        <TextField id="question-label" label="Question" value={label()} onValue={setLabel} error={form.errors().label} />
        <div class="form__row">
          <div class="field">
            <label class="field__label" for="question-kind">Answer</label>
            <select id="question-kind" class="field__input" value={kind()} onChange={(e) => setKind(e.currentTarget.value as Question['kind'])}>
              <option value="text">Free text</option>
              <option value="choice">One choice</option>
              <option value="multi_choice">Several choices</option>
            </select>
          </div>
          <Show when={kind() !== 'text'}>
            <TextField id="question-choices" label="Choices" hint="Separated by commas" value={choices()} onValue={setChoices} error={form.errors().choices} />
          </Show>
        </div>
        <label class="checkout__choice" for="question-required"><input id="question-required" type="checkbox" checked={required()} onChange={(e) => setRequired(e.currentTarget.checked)} /> Required</label>
        <FormMessages alert={form.alert()} />
        <SubmitButton busy={form.busy()} busyLabel="Adding…" block={false}>Add question</SubmitButton>
      </form>
    </section>
  );
}
