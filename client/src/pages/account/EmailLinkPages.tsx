/** The pages e-mailed links open: confirming an address, and choosing a new password. */
import { A, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, Match, Show, Switch } from 'solid-js';
import { ApiError } from '../../api/http.ts';
import { TextField } from '../../ui/TextField.tsx';
import { accountApi, minPasswordLength } from './api.ts';
import { createFormState, FormMessages, SubmitButton } from './form.tsx';
import { useSession } from './session.tsx';
import './account.css';

function linkToken(): string {
  const [search] = useSearchParams();
  return typeof search.token === 'string' ? search.token : '';
}

export function VerifyEmailPage() {
  const token = linkToken();
  const session = useSession();
  document.title = 'Confirm your address · Plenary';
  const [result] = createResource(async () => {
    try {
      await accountApi.verifyEmail(token);
      session.refresh();
      return { ok: true as const };
    } catch (error) {
      return { ok: false as const, message: error instanceof ApiError ? error.message : 'The link could not be checked.' };
    }
  });
  return (
    <div class="auth-page">
      <section class="card auth-card" aria-labelledby="verify-heading" aria-live="polite">
        <Switch fallback={<p class="loading" role="status"><span class="loading__spinner" aria-hidden="true" />Checking your link…</p>}>
          <Match when={result()?.ok}>
            <h1 id="verify-heading" class="card__title">Address confirmed</h1>
            <p>Thank you. Your account is ready.</p>
            <A class="button button--primary button--block" href="/log-in">Log in</A>
          </Match>
          <Match when={result() && !result()!.ok}>
            <h1 id="verify-heading" class="card__title">This link did not work</h1>
            <p>{(result() as { message: string }).message}</p>
            <p class="auth-card__aside">Log in and ask for a new link from your account page.</p>
          </Match>
        </Switch>
      </section>
    </div>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = createSignal('');
  const form = createFormState<'email'>();
  document.title = 'Forgot password · Plenary';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const { message } = await accountApi.requestReset(email().trim());
      form.setNotice(message);
    }, ['email']);
  };
  return (
    <div class="auth-page">
      <section class="card auth-card" aria-labelledby="forgot-heading">
        <h1 id="forgot-heading" class="card__title">Reset your password</h1>
        <p class="auth-card__lead">Enter your address and we will send you a link to choose a new password.</p>
        <FormMessages alert={form.alert()} notice={form.notice()} />
        <form class="form" novalidate onSubmit={submit}>
          <TextField id="email" label="E-mail address" type="email" inputmode="email" autocomplete="email"
            value={email()} onValue={setEmail} error={form.errors().email} required />
          <SubmitButton busy={form.busy()} busyLabel="Sending…">Send the link</SubmitButton>
        </form>
        <p class="auth-card__aside"><A href="/log-in">Back to log in</A></p>
      </section>
    </div>
  );
}

export function ResetPasswordPage() {
  const token = linkToken();
  const [password, setPassword] = createSignal('');
  const [done, setDone] = createSignal(false);
  const form = createFormState<'password'>();
  document.title = 'Choose a new password · Plenary';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      await accountApi.resetPassword(token, password());
      setDone(true);
    }, ['password']);
  };
  return (
    <div class="auth-page">
      <section class="card auth-card" aria-labelledby="reset-heading">
        <Show when={!done()} fallback={
          <>
            <h1 id="reset-heading" class="card__title">Password changed</h1>
            <p>You can log in with your new password. Every other session has been ended.</p>
            <A class="button button--primary button--block" href="/log-in">Log in</A>
          </>
        }>
          <h1 id="reset-heading" class="card__title">Choose a new password</h1>
          <FormMessages alert={form.alert()} />
          <form class="form" novalidate onSubmit={submit}>
            <TextField id="new-password" label="New password" type="password" revealable autocomplete="new-password"
              hint={`At least ${minPasswordLength} characters`} value={password()} onValue={setPassword}
              error={form.errors().password} required />
            <SubmitButton busy={form.busy()} busyLabel="Saving…">Save the new password</SubmitButton>
          </form>
        </Show>
      </section>
    </div>
  );
}
