import { A, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { CheckIcon, CircleIcon } from '../../ui/icons.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { accountApi, minPasswordLength } from './api.ts';
import { createFormState, FormMessages, SubmitButton } from './form.tsx';
import './account.css';

type Field = 'displayName' | 'email' | 'password';

export function SignUpPage() {
  // From an invitation's page: the invited address, and where to come back after logging in.
  const [search] = useSearchParams();
  const next = () => (typeof search.next === 'string' && /^\/(?![/\\])/.test(search.next) ? search.next : null);
  const logInHref = (email: string) => (next() ? `/log-in?${new URLSearchParams({ next: next()!, email })}` : '/log-in');
  const [values, setValues] = createSignal({ displayName: '', email: typeof search.email === 'string' ? search.email : '', password: '' });
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const form = createFormState<Field>();
  const set = (field: Field) => (value: string) => setValues({ ...values(), [field]: value });
  const longEnough = () => values().password.length >= minPasswordLength;

  document.title = 'Create an account · Plenary';

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const email = values().email.trim();
      await accountApi.signUp({ displayName: values().displayName.trim(), email, password: values().password });
      setSentTo(email);
    }, ['displayName', 'email', 'password']);
  };

  return (
    <div class="auth-page">
      <section class="card auth-card" aria-labelledby="sign-up-heading">
        <Show
          when={sentTo()}
          fallback={
            <>
              <h1 id="sign-up-heading" class="card__title">Create an account</h1>
              <FormMessages alert={form.alert()} />
              <form class="form" novalidate onSubmit={submit}>
                <TextField id="display-name" label="Your name" autocomplete="name" maxlength={80}
                  value={values().displayName} onValue={set('displayName')} error={form.errors().displayName} required />
                <TextField id="email" label="E-mail address" type="email" inputmode="email" autocomplete="email" spellcheck={false}
                  value={values().email} onValue={set('email')} error={form.errors().email} required />
                <TextField id="password" label="Password" type="password" revealable autocomplete="new-password"
                  hintPlacement="input"
                  hint={
                    <span class="rule" classList={{ 'rule--met': longEnough() }}>
                      <Show when={longEnough()} fallback={<CircleIcon size={14} />}><CheckIcon size={14} /></Show>{' '}
                      At least {minPasswordLength} characters, not a common password
                    </span>
                  }
                  value={values().password} onValue={set('password')} error={form.errors().password} required />
                <SubmitButton busy={form.busy()} busyLabel="Creating…">Create account</SubmitButton>
              </form>
              <p class="auth-card__aside">
                Already have an account? <A href={logInHref(values().email.trim())}>Log in</A>
              </p>
            </>
          }
        >
          <h1 id="sign-up-heading" class="card__title">Check your inbox</h1>
          <p>
            We sent a link to <strong>{sentTo()}</strong>. Open it to confirm your address, then log in.
            <Show when={next()}> After logging in you come back to where you were.</Show>
          </p>
          <p class="auth-card__aside">
            <A href={logInHref(sentTo() ?? '')}>Go to log in</A>
          </p>
        </Show>
      </section>
    </div>
  );
}
