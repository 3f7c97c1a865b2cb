import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { TextField } from '../../ui/TextField.tsx';
import { accountApi } from './api.ts';
import { createFormState, FormMessages, SubmitButton } from './form.tsx';
import { useSession } from './session.tsx';
import './account.css';

const oauthMessages: Record<string, string> = {
  invalid_state: 'That log-in link expired or was opened in another browser. Start again.',
  provider_refused: 'The provider did not let you in. Try again, or log in with your password.',
  provider_error: 'We could not reach the provider just now. Try again in a moment.',
  email_unverified: 'Your provider has not confirmed your e-mail address, so we cannot use it here.',
  already_linked: 'That account is already linked to someone else here.',
  account_banned: 'This account is banned.',
};

export function LogInPage() {
  const session = useSession();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  // An invitation's page passes the invited address, so the right account logs in.
  const [email, setEmail] = createSignal(typeof search.email === 'string' ? search.email : '');
  const [password, setPassword] = createSignal('');
  const form = createFormState<'email' | 'password'>();
  const [providers] = createResource(async () => (await accountApi.providers()).providers);
  const next = () => (typeof search.next === 'string' && /^\/(?![/\\])/.test(search.next) ? search.next : '/');
  const oauthError = () => {
    const code = typeof search.oauthError === 'string' ? search.oauthError : '';
    if (!code) return null;
    const reason = typeof search.reason === 'string' ? ` ${search.reason}` : '';
    return (oauthMessages[code] ?? 'Logging in with that provider did not work.') + reason;
  };

  document.title = 'Log in · Plenary';

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void form.run(async () => {
      const { user } = await accountApi.logIn(email().trim(), password());
      session.set(user);
      navigate(next(), { replace: true });
    }, ['email', 'password']);
  };

  return (
    <div class="auth-page">
      <section class="card auth-card" aria-labelledby="log-in-heading">
        <h1 id="log-in-heading" class="card__title">Log in</h1>
        <FormMessages alert={form.alert() ?? oauthError()} />
        <form class="form" novalidate onSubmit={submit}>
          <TextField id="email" label="E-mail address" type="email" inputmode="email" autocomplete="email" spellcheck={false}
            value={email()} onValue={setEmail} error={form.errors().email} required />
          <TextField id="password" label="Password" type="password" revealable autocomplete="current-password"
            value={password()} onValue={setPassword} error={form.errors().password} required />
          <SubmitButton busy={form.busy()} busyLabel="Logging in…">Log in</SubmitButton>
        </form>
        <p class="auth-card__aside">
          <A href="/forgot-password">Forgot your password?</A>
        </p>
        <Show when={(providers() ?? []).length > 0}>
          <div class="auth-card__divider"><span>or</span></div>
          <ul class="oauth-buttons">
            <For each={providers()}>
              {(provider) => (
                <li>
                  <a class="button button--block" href={`${provider.startUrl}?returnTo=${encodeURIComponent(next())}`}>
                    Continue with {provider.name}
                  </a>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <p class="auth-card__aside">
          New here? <A href={next() === '/' ? '/sign-up' : `/sign-up?${new URLSearchParams({ next: next(), email: email() })}`}>Create an account</A>
        </p>
      </section>
    </div>
  );
}
