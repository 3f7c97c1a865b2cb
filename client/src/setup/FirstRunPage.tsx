import { useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { ApiError } from '../api/http.ts';
import { accountApi } from '../pages/account/api.ts';
import { useSession } from '../pages/account/session.tsx';
import { completeFirstRun, maxDisplayNameLength, minPasswordLength, type AdminUser } from '../api/setup.ts';
import { AlertIcon, CheckIcon, CircleIcon } from '../ui/icons.tsx';
import { TextField } from '../ui/TextField.tsx';
import {
  fieldOrder,
  isFirstRunField,
  validateFirstRun,
  type FirstRunErrors,
  type FirstRunField,
  type FirstRunFields,
} from './first-run-form.ts';
import { SetupComplete } from './SetupComplete.tsx';
import { useSetup } from './setup-context.tsx';

const badTokenMessage = "This setup code isn't valid. Use the newest link or code printed in the server console.";

/**
 * Creates the server's first administrator. The server prints a one-time link
 * with the setup token to its console; whoever can read that console owns the
 * server, so it is the proof we ask for. Without the link, the code is typed in.
 */
export function FirstRunPage() {
  const setup = useSetup();
  const session = useSession();
  const [search] = useSearchParams();
  const linkToken = typeof search.token === 'string' ? search.token : '';
  const [askForToken, setAskForToken] = createSignal(linkToken === '');
  const [values, setValues] = createSignal<FirstRunFields>({
    token: linkToken,
    displayName: '',
    email: '',
    password: '',
    confirmPassword: '',
    publicUrl: setup.status()?.publicUrl ?? location.origin,
  });
  const [errors, setErrors] = createSignal<FirstRunErrors>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  // After the first submit, fixing an input clears its message as you type.
  const [attempted, setAttempted] = createSignal(false);
  const [submitting, setSubmitting] = createSignal(false);
  const [created, setCreated] = createSignal<AdminUser | null>(null);
  const inputs: Partial<Record<FirstRunField, HTMLInputElement>> = {};

  document.title = 'Set up · Plenary';

  const update = (field: FirstRunField) => (value: string) => {
    const next = { ...values(), [field]: value };
    setValues(next);
    if (!attempted()) return;
    const recheck = validateFirstRun(next);
    // The confirmation depends on the password, so a password edit rechecks both.
    const touched: FirstRunField[] = field === 'password' ? ['password', 'confirmPassword'] : [field];
    setErrors((current) => {
      const merged = { ...current };
      for (const name of touched) merged[name] = recheck[name];
      return merged;
    });
  };

  const focusFirstError = (found: FirstRunErrors) => {
    const first = fieldOrder.find((field) => found[field]);
    if (first) inputs[first]?.focus();
  };

  const showServerError = (error: unknown) => {
    if (!(error instanceof ApiError)) {
      setFormError('Something went wrong on this page. Reload it and try again.');
      return;
    }
    if (error.code === 'already_set_up') {
      // Someone else finished setup meanwhile; the shell takes us home.
      setup.markDone(false);
      return;
    }
    if (error.code === 'bad_setup_token') {
      setAskForToken(true);
      setErrors({ token: badTokenMessage });
      queueMicrotask(() => inputs.token?.select());
      return;
    }
    const byField: FirstRunErrors = {};
    const elsewhere: string[] = [];
    for (const [path, message] of Object.entries(error.fieldMessages())) {
      if (isFirstRunField(path)) byField[path] = message;
      else elsewhere.push(message);
    }
    if (byField.token) setAskForToken(true);
    setErrors(byField);
    if (elsewhere.length > 0 || Object.keys(byField).length === 0) setFormError([error.message, ...elsewhere].join(' '));
    queueMicrotask(() => focusFirstError(byField));
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (submitting()) return;
    setAttempted(true);
    setFormError(null);
    const found = validateFirstRun(values());
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(found);
      return;
    }
    const { token, displayName, email, password } = values();
    // The server stores the address without trailing slashes; show it the way it will be used.
    const publicUrl = values().publicUrl.trim().replace(/\/+$/, '');
    setSubmitting(true);
    try {
      const { user } = await completeFirstRun({
        token: token.trim(),
        displayName: displayName.trim(),
        email: email.trim(),
        password,
        publicUrl,
      });
      setCreated(user);
      setup.markDone(true, publicUrl);
      // The server signed the new admin in: show it everywhere (header, socket) without a reload.
      void accountApi.me().then(({ user: account }) => session.set(account), () => session.refresh());
    } catch (error) {
      showServerError(error);
    } finally {
      setSubmitting(false);
    }
  };

  const passwordLongEnough = () => values().password.length >= minPasswordLength;

  return (
    <Show when={created()} fallback={
      <div class="first-run">
        <div class="first-run__intro">
          <p class="eyebrow">First run</p>
          <h1 class="first-run__title">Welcome to Plenary</h1>
          <p class="first-run__lead">
            This server has no administrator yet. Create the account that runs it: the person who sets up payments and
            e-mail, invites organizers and keeps an eye on every event.
          </p>
          <ol class="first-run__steps">
            <li>
              <strong>Prove you run the server</strong>
              <span>with the one-time setup code Plenary printed to its console.</span>
            </li>
            <li>
              <strong>Create the admin account</strong>
              <span>with your name, e-mail address and a long password.</span>
            </li>
            <li>
              <strong>Confirm the public address</strong>
              <span>that links in e-mails, tickets and invitations will use.</span>
            </li>
          </ol>
        </div>

        <section class="card first-run__card" aria-labelledby="admin-account-heading">
          <h2 id="admin-account-heading" class="card__title">Administrator account</h2>
          <Show when={formError()}>
            <div class="form-alert" role="alert">
              <AlertIcon />
              <p>{formError()}</p>
            </div>
          </Show>
          <form class="form" novalidate onSubmit={submit}>
            <Show
              when={askForToken()}
              fallback={
                <p class="form-note form-note--success">
                  <CheckIcon size={16} /> Using the setup code from your link.
                </p>
              }
            >
              <TextField
                id="setup-token"
                label="Setup code"
                hint={<>Printed in the server console when Plenary starts, in the line with <code>/setup?token=</code>.</>}
                value={values().token}
                onValue={update('token')}
                error={errors().token}
                ref={(input) => (inputs.token = input)}
                autocomplete="off"
                spellcheck={false}
                required
              />
            </Show>
            <TextField
              id="display-name"
              label="Your name"
              value={values().displayName}
              onValue={update('displayName')}
              error={errors().displayName}
              ref={(input) => (inputs.displayName = input)}
              autocomplete="name"
              maxlength={maxDisplayNameLength}
              required
            />
            <TextField
              id="email"
              label="E-mail address"
              type="email"
              inputmode="email"
              value={values().email}
              onValue={update('email')}
              error={errors().email}
              ref={(input) => (inputs.email = input)}
              autocomplete="email"
              spellcheck={false}
              required
            />
            <div class="form__row">
              <TextField
                id="password"
                label="Password"
                type="password"
                revealable
                hintPlacement="input"
                hint={
                  <span class="rule" classList={{ 'rule--met': passwordLongEnough() }}>
                    <Show when={passwordLongEnough()} fallback={<CircleIcon size={14} />}>
                      <CheckIcon size={14} />
                    </Show>{' '}
                    At least {minPasswordLength} characters
                  </span>
                }
                value={values().password}
                onValue={update('password')}
                error={errors().password}
                ref={(input) => (inputs.password = input)}
                autocomplete="new-password"
                minlength={minPasswordLength}
                required
              />
              <TextField
                id="confirm-password"
                label="Confirm password"
                type="password"
                revealable
                value={values().confirmPassword}
                onValue={update('confirmPassword')}
                error={errors().confirmPassword}
                ref={(input) => (inputs.confirmPassword = input)}
                autocomplete="new-password"
                required
              />
            </div>
            <TextField
              id="public-url"
              label="Public address"
              type="url"
              inputmode="url"
              hint="The address people use to reach this server."
              value={values().publicUrl}
              onValue={update('publicUrl')}
              error={errors().publicUrl}
              ref={(input) => (inputs.publicUrl = input)}
              autocomplete="url"
              spellcheck={false}
              required
            />
            <button type="submit" class="button button--primary button--block" aria-disabled={submitting()}>
              <Show when={submitting()} fallback="Create admin account">
                <span class="loading__spinner" aria-hidden="true" /> Creating account…
              </Show>
            </button>
          </form>
        </section>
      </div>
    }>
      {(user) => <SetupComplete user={user()} publicUrl={setup.status()?.publicUrl ?? values().publicUrl} />}
    </Show>
  );
}
